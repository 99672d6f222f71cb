"""The password rule: long enough, not a common password, not the holder's e-mail or name.

It follows NIST SP 800-63B rather than composition rules ("one digit, one symbol"): length and a
block list of passwords that attackers try first. Staff accounts, which can publish, answer and
read personal data, need a longer password than citizens; a citizen's minimum stays at 8 so
existing citizen registration keeps working.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

COMMON_PASSWORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "common_passwords.txt"
# A name or e-mail shorter than this is too short to look for inside a password ("Al").
_CONTEXT_MIN_LENGTH = 4
# "aaaaaaaaaaaa" or "abababababab" pass a length rule but are guessed at once.
_MIN_DISTINCT_CHARACTERS = 5
_SEPARATORS = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    """The block list, read once per process (about 8,000 lower-cased passwords)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    # Only the opening lines are comments: a password may itself start with "#".
    body = itertools.dropwhile(lambda line: line.startswith("# "), lines)
    return frozenset(line.strip() for line in body if line.strip())


def min_length(*, staff: bool) -> int:
    config = current_app.config
    return int(config["STAFF_PASSWORD_MIN_LENGTH"] if staff else config["PASSWORD_MIN_LENGTH"])


def _letters_only(text: str) -> str:
    return _SEPARATORS.sub("", text.casefold())


def password_problems(password: str, *, email: str, display_name: str, staff: bool) -> list[str]:
    """Why this password may not be used (empty when it may), as messages for the person."""
    problems: list[str] = []
    needed = min_length(staff=staff)
    if len(password) < needed:
        if staff:
            message = _l("Staff accounts need a password of at least %(n)d characters.", n=needed)
        else:
            message = _l("Use at least %(n)d characters.", n=needed)
        problems.append(str(message))
    if password.strip().casefold() in common_passwords():
        problems.append(str(_l("This password is one of the most common ones; choose another.")))
    elif len(set(password)) < _MIN_DISTINCT_CHARACTERS:
        problems.append(str(_l("Use more different characters.")))
    squeezed = _letters_only(password)
    local_part = email.strip().partition("@")[0]
    context = [_letters_only(local_part), _letters_only(display_name)]
    if any(len(word) >= _CONTEXT_MIN_LENGTH and word in squeezed for word in context):
        problems.append(str(_l("The password must not contain your e-mail address or name.")))
    return problems
