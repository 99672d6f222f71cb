"""Element ids a page repeats: a label or aria reference then points at the wrong element."""

from __future__ import annotations

import re
from collections import Counter

_ID = re.compile(r'\sid="([^"]+)"')


def repeated_ids(html: str) -> list[str]:
    return sorted(name for name, count in Counter(_ID.findall(html)).items() if count > 1)
