"""What the public reads in place of personal data, in the reader's language.

personal_data.py finds the data and keeps English markers as its default; it stays free of
Flask (the migrations and a test load it on its own), so the translated markers are here, where
the web pages and the API both take them from.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from listening_state import personal_data

PERSONAL_DATA_MARKERS: dict[str, LazyString] = {
    personal_data.IIN: _l("[IIN removed]"),
    personal_data.BIN: _l("[BIN removed]"),
    personal_data.PHONE: _l("[phone removed]"),
    personal_data.EMAIL: _l("[e-mail removed]"),
    personal_data.CARD: _l("[card number removed]"),
}


def personal_data_markers() -> dict[str, str]:
    """Each kind's marker in the current language, for personal_data.redact."""
    return {kind: str(marker) for kind, marker in PERSONAL_DATA_MARKERS.items()}
