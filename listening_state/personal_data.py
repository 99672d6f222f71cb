"""Personal data in citizens' text: found before anything is shown publicly, then masked.

The public sees each finding replaced by a marker ("[phone removed]"); the ministry and the
moderators see the original, so nothing here changes what is stored. Standard library only.

What is found:

- IIN (individual identification number) and BIN (business identification number) of
  Kazakhstan: 12 digits whose last digit is the control digit of the Rules for forming the
  identification number (Government decree No. 406 of 22 May 2007, as amended). The first 11
  digits are weighted 1..11 and summed mod 11; a result of 10 means "weigh again with 3..11, 1,
  2"; a second 10 means the number is never issued. The published structure is checked too:

  - IIN: YYMMDD date of birth (month 01-12, day 01-31), the century-and-sex digit (1/2 born in
    the 19th century, 3/4 in the 20th, 5/6 in the 21st; odd male, even female), a 4-digit
    serial, the control digit. The Rules list 1-6 for the seventh digit; 0 is accepted too,
    because hiding a rare number that is not an IIN costs less than publishing one that is.
    The day is not checked against the month, nor the year against the century.
  - BIN: YYMM of registration (month 01-12), the entity type (4 resident legal entity,
    5 non-resident legal entity, 6 individual entrepreneur in joint enterprise), a division
    digit (0 head office, 1 branch, 2 representative office, 3 peasant farm in joint
    enterprise), a 5-digit serial, the control digit. Only month and type are checked: the
    division digit is left alone in case later amendments added values, for the same reason.

  The fifth digit tells the two apart without ambiguity: a day of birth starts with 0-3, a BIN
  type is 4-6. A 12-digit number with a wrong control digit, or that fits neither structure, is
  not reported. Numbers written in groups ("880101 300 123") are not recognised as IINs.
- Phone numbers in Kazakh formats: +7 / 8 / 7 followed by a 10-digit national number starting
  with 7 (mobile 7xx, landlines such as Almaty 727 and Astana 7172), grouped with spaces,
  dashes, dots or brackets; any +7 number (the "+" makes a phone unambiguous); a bare national
  mobile number (70x, 747, 77x). Sums of money ("87 000 000 000 тенге"), years, dates and IINs
  are not phones.
- E-mail addresses, including Cyrillic ones.
- Bank card numbers: 13-19 digits, contiguous or in groups (4-4-4-4, 4-6-5, ...), Luhn-valid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

IIN = "iin"
BIN = "bin"
PHONE = "phone"
EMAIL = "email"
CARD = "card"

DEFAULT_MARKERS: Mapping[str, str] = {
    IIN: "[IIN removed]",
    BIN: "[BIN removed]",
    PHONE: "[phone removed]",
    EMAIL: "[e-mail removed]",
    CARD: "[card number removed]",
}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and where it sits in the text."""

    kind: str
    start: int
    end: int
    text: str


_IIN_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_IIN_WEIGHTS_AGAIN = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

_TWELVE_DIGITS_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")
_IIN_STRUCTURE_RE = re.compile(r"\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[0-6]\d{5}")
_BIN_STRUCTURE_RE = re.compile(r"\d\d(?:0[1-9]|1[0-2])[4-6]\d{7}")

_EMAIL_RE = re.compile(r"(?<![\w.%+-])[\w%+-][\w.%+-]*@(?:[\w-]+\.)+[^\W\d_]{2,}(?![\w-])")

# Groups of four with one consistent separator (or none), or the 4-6-5 / 4-6-4 layout of
# American Express and Diners Club cards.
_CARD_RE = re.compile(
    r"(?<!\d)(?:"
    r"\d{4}(?P<sep>[ \-]?)\d{4}(?P=sep)\d{4}(?P=sep)\d{1,4}(?P<tail>(?P=sep)\d{1,3})?"
    r"|\d{4}(?P<sep2>[ \-])\d{6}(?P=sep2)\d{4,5}"
    r")(?!\d)"
)
_YEAR_GROUP_RE = re.compile(r"(?:19|20)\d\d")

_GAP = r"(?:[ \u00a0]?[\-.][ \u00a0]?|[ \u00a0])"
# A prefix, then ten digits with at most one separator or bracket between two of them.
_PHONE_RE = re.compile(
    rf"(?<![\d+])(?<!\d[.,])"
    rf"(?:(?P<prefix>\+[ \u00a0]?7|[78]){_GAP}?)?"
    rf"(?P<national>\(?[ \u00a0]?\d(?:(?:\)[ \u00a0\-.]?|{_GAP}\(|{_GAP})?\d){{9}})"
    rf"(?!\d|[ \u00a0]?[\-.][ \u00a0]?\d)"
)
# Digits with whatever may separate the digits of one number: the only places where the
# number patterns above are tried, which keeps ordinary prose cheap to scan.
_NUMBER_CLUSTER_RE = re.compile(r"(?:\+[ \u00a0]?|\()?\d(?:[\d \u00a0\-.()]*\d)?")
_SHORTEST_NUMBER = 10
_NON_DIGITS_RE = re.compile(r"\D+")
_DIGIT_RE = re.compile(r"\d")
_MOBILE_CODE_RE = re.compile(r"7(?:0[0-8]|47|7[1-8])")
# Thousands grouped by spaces or dots, the way sums of money are written.
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:(?:[ \u00a0]|\.)\d{3})+")
_MONEY_AFTER_RE = re.compile(
    r"[ \u00a0]?(?:₸|\$|€|%|тенге|теңге|тг\b|kzt|tenge|руб|usd|eur|млн|млрд)", re.IGNORECASE
)

# A card wins over an identification number, which wins over a phone: the longer, more
# specific reading of the same digits is the one that is reported.
_PRECEDENCE = {EMAIL: 0, CARD: 1, IIN: 2, BIN: 2, PHONE: 3}


def _check_digit(first_eleven: str) -> int | None:
    digits = [int(c) for c in first_eleven]
    for weights in (_IIN_WEIGHTS, _IIN_WEIGHTS_AGAIN):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def identification_number_kind(number: str) -> str | None:
    """The kind ("iin" or "bin") of a valid 12-digit identification number, else None."""
    if len(number) != 12 or not number.isascii() or not number.isdigit():
        return None
    if _check_digit(number[:11]) != int(number[11]):
        return None
    if _IIN_STRUCTURE_RE.fullmatch(number):
        return IIN
    if _BIN_STRUCTURE_RE.fullmatch(number):
        return BIN
    return None


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check used by payment card numbers."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = _NON_DIGITS_RE.sub("", candidate)
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    groups = candidate.replace("-", " ").split()
    # "2021 2022 2023 2024" is a list of years, whatever Luhn says.
    if len(groups) > 1 and all(_YEAR_GROUP_RE.fullmatch(g) for g in groups):
        return False
    return luhn_valid(digits)


def _is_phone(match: re.Match[str], text: str) -> bool:
    prefix = match["prefix"] or ""
    national_text = match["national"]
    national = _NON_DIGITS_RE.sub("", national_text)
    # Only "+7" makes a number that is not Kazakh unambiguously a phone (e.g. Russia's 9xx).
    if not national.startswith("7") and (not prefix.startswith("+") or national[0] in "012"):
        return False
    if not prefix and "(" not in national_text and not _MOBILE_CODE_RE.match(national):
        return False
    if _THOUSANDS_RE.fullmatch(match.group().lstrip("+").strip(" \u00a0")):
        return False
    return not _MONEY_AFTER_RE.match(text, match.end())


def _numbers_in(text: str, start: int, end: int) -> list[Finding]:
    found: list[Finding] = []
    for m in _CARD_RE.finditer(text, start, end):
        # "4111 1111 1111 1111 12" may be a card number and the start of its expiry date.
        ends = (m.end(), m.start("tail")) if m["tail"] and m["sep"] else (m.end(),)
        for card_end in ends:
            if _is_card(text[m.start() : card_end]):
                found.append(Finding(CARD, m.start(), card_end, text[m.start() : card_end]))
                break
    for m in _TWELVE_DIGITS_RE.finditer(text, start, end):
        kind = identification_number_kind(m.group())
        if kind is not None:
            found.append(Finding(kind, m.start(), m.end(), m.group()))
    for m in _PHONE_RE.finditer(text, start, end):
        if _is_phone(m, text):
            phone_start = m.start()
            # "(8 701) 123 45 67": the opening bracket belongs to the number too.
            if (
                m.group().count(")") > m.group().count("(")
                and text[phone_start - 1 : phone_start] == "("
            ):
                phone_start -= 1
            found.append(Finding(PHONE, phone_start, m.end(), text[phone_start : m.end()]))
    return found


def _candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    if "@" in text:
        found.extend(
            Finding(EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL_RE.finditer(text)
        )
    for cluster in _NUMBER_CLUSTER_RE.finditer(text):
        start, end = cluster.span()
        if len(_NON_DIGITS_RE.sub("", cluster.group())) >= _SHORTEST_NUMBER:
            found.extend(_numbers_in(text, start, end))
    return found


def find_personal_data(text: str) -> list[Finding]:
    """Personal data in text, in order of position, with no two findings overlapping."""
    if "@" not in text and not _DIGIT_RE.search(text):
        return []
    chosen: list[Finding] = []
    for candidate in sorted(_candidates(text), key=lambda f: (f.start, _PRECEDENCE[f.kind])):
        # chosen is ordered and free of overlaps, so the findings that clash with this one
        # are a tail of it; the candidate replaces them only if it outranks them all.
        first_clash = len(chosen)
        while first_clash and chosen[first_clash - 1].end > candidate.start:
            first_clash -= 1
        rank = _PRECEDENCE[candidate.kind]
        if all(rank < _PRECEDENCE[f.kind] for f in chosen[first_clash:]):
            del chosen[first_clash:]
            chosen.append(candidate)
    return chosen


def has_personal_data(text: str) -> bool:
    """Whether text holds anything that must not be shown publicly."""
    return bool(find_personal_data(text))


def redact(text: str, markers: Mapping[str, str] | None = None) -> str:
    """Text with each piece of personal data replaced by its marker; the rest is untouched.

    markers maps a kind ("iin", "bin", "phone", "email", "card") to its marker, for example
    translated ones; kinds it leaves out keep the English default.
    """
    findings = find_personal_data(text)
    if not findings:
        return text
    chosen = {**DEFAULT_MARKERS, **(markers or {})}
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(chosen[finding.kind])
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)
