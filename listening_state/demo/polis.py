"""Real Pol.is conversations (compdemocracy/openData, CC BY 4.0) imported as demo consultations.

Each conversation goes to the Kazakh body closest to its subject; its real comments, with the
facilitators' real moderation decisions, become submissions moved in time to the demo period.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from listening_state.authz import SYSTEM
from listening_state.demo.publishing import publish_as_of_opening
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    DemoSource,
    Stance,
    Submission,
    SubmissionStatus,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.sanitize import clean_plain_text
from listening_state.services.consultation_period import day_of, end_of, start_of
from listening_state.services.consultations import ConsultationInput, create_consultation
from listening_state.services.ministries import get_by_code
from listening_state.services.submissions import new_reference, personal_data_kinds

ATTRIBUTION = (
    "Data was gathered using the Polis software (compdemocracy.org/polis) and is sub-licensed "
    "under CC BY 4.0 with Attribution to The Computational Democracy Project."
)
LANGUAGE_SAMPLE = 200  # comments read to tell the conversation's language
NO_DESCRIPTION = "The original Pol.is conversation was published without a description."


@dataclass(frozen=True)
class PolisMapping:
    """Which body a conversation goes to, and why (reviewed by hand)."""

    conversation: str
    ministry_code: str
    reason: str


POLIS_MINISTRIES: tuple[PolisMapping, ...] = (
    PolisMapping("15-per-hour-seattle", "MLSPP", "Seattle's $15 minimum wage: wage policy."),
    PolisMapping("scoop-hivemind.taxes", "MF", "New Zealand tax system: tax administration."),
    PolisMapping("scoop-hivemind.biodiversity", "MENR", "Biodiversity, protected nature."),
    PolisMapping("scoop-hivemind.freshwater", "MWRI", "Freshwater quality in rivers and lakes."),
    PolisMapping("scoop-hivemind.affordable-housing", "MIC", "Affordable housing: housing policy."),
    PolisMapping("austria-climate.2vkxcncppn.2022-07-07", "ME", "Klimarat: Energie (energy)."),
    PolisMapping("austria-climate.5tzfrp5eaa.2022-07-07", "MT", "Klimarat: Mobilität (transport)."),
    PolisMapping(
        "austria-climate.7z7ejpbmv5.2022-08-08", "MIC", "Klimarat: Wohnen (housing, construction)."
    ),
    PolisMapping(
        "austria-climate.9xnndurbfm.2022-07-07",
        "MA",
        "Klimarat: Ernährung und Landnutzung (food and land use).",
    ),
    PolisMapping(
        "austria-climate.5twd2jsnkf.2022-08-08",
        "MTI",
        "Klimarat: Produktion und Konsum (products, consumers, labelling).",
    ),
    PolisMapping("vtaiwan.uberx", "MT", "Regulating UberX against taxis: passenger transport."),
    PolisMapping("football-concussions", "MTS", "Concussions in professional football: sport."),
    PolisMapping("london.youth.policing", "MIA", "Young people's scrutiny of policing: police."),
    PolisMapping("brexit-consensus", "MFA", "Brexit: relations with a union of states."),
    PolisMapping("canadian-electoral-reform", "MJ", "Electoral system reform: legislation."),
    PolisMapping(
        "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
        "MA",
        "Land bank for farmland and conservation: agricultural land.",
    ),
    PolisMapping("bg2050-volunteers", "MCI", "A city's volunteers and values: civil society."),
    PolisMapping(
        "march-on.operation-marchin-orders", "MCI", "A civic movement's platform: civil society."
    ),
    PolisMapping(
        "american-assembly.bowling-green",
        "MNE",
        "Improving a city and county: regional development.",
    ),
    PolisMapping("scoop-hivemind.ubi", "MLSPP", "Universal basic income: social protection."),
)


# Half of the conversations are open now. The ones whose real comments span years (Seattle,
# vTaiwan, football) are closed, so that their long periods lie wholly in the past.
OPEN_NOW: frozenset[str] = frozenset(
    {
        "scoop-hivemind.taxes",
        "scoop-hivemind.biodiversity",
        "scoop-hivemind.affordable-housing",
        "austria-climate.2vkxcncppn.2022-07-07",
        "austria-climate.5tzfrp5eaa.2022-07-07",
        "london.youth.policing",
        "canadian-electoral-reform",
        "ssis.land-bank-farmland.2rumnecbeh.2021-08-01",
        "bg2050-volunteers",
        "american-assembly.bowling-green",
    }
)


@dataclass(frozen=True)
class PolisComment:
    comment_id: str
    author_id: str
    body: str
    written_at: datetime
    moderated: int  # the facilitator's decision: 1 accepted, -1 rejected, 0 not moderated


@dataclass(frozen=True)
class PolisConversation:
    key: str  # the folder name, stable across exports
    topic: str
    description: str
    url: str
    comments: tuple[PolisComment, ...]

    @property
    def first_written_at(self) -> datetime:
        return min(comment.written_at for comment in self.comments)

    @property
    def last_written_at(self) -> datetime:
        return max(comment.written_at for comment in self.comments)


@dataclass
class PolisImport:
    consultations_created: int = 0
    comments_created: int = 0
    notes: list[str] = field(default_factory=list)


# The facilitators' real decisions: rejected comments stay hidden, accepted ones are public,
# and those nobody moderated wait in the council's moderation queue.
FACILITATOR_DECISION = {-1: Visibility.HIDDEN, 0: Visibility.PENDING, 1: Visibility.PUBLISHED}


def read_conversation(folder: Path) -> PolisConversation:
    """One conversation from its openData export (summary.csv and comments.csv)."""
    with (folder / "summary.csv").open(encoding="utf-8", newline="") as handle:
        summary = {row[0]: row[1] if len(row) > 1 else "" for row in csv.reader(handle) if row}
    with (folder / "comments.csv").open(encoding="utf-8", newline="") as handle:
        comments = tuple(
            PolisComment(
                comment_id=row["comment-id"],
                author_id=row["author-id"],
                body=row["comment-body"],
                written_at=datetime.fromtimestamp(int(row["timestamp"]) / 1000, UTC),
                moderated=int(row["moderated"]),
            )
            for row in csv.DictReader(handle)
        )
    return PolisConversation(
        key=folder.name,
        topic=summary.get("topic", folder.name).strip(),
        description=summary.get("conversation-description", "").strip(),
        url=summary.get("url", "").strip(),
        comments=comments,
    )


_GERMAN = frozenset(
    ["und", "der", "die", "das", "nicht", "ist", "zu", "den", "mit", "für", "auf", "wir", "sich"]
)
_ENGLISH = frozenset(
    ["the", "and", "of", "to", "is", "that", "for", "it", "not", "are", "be", "should", "they"]
)


def detect_language(texts: Iterable[str]) -> str:
    """en, de or zh: the only languages of the openData conversations, told apart cheaply."""
    sample = " ".join(texts)
    han = sum("\u4e00" <= char <= "\u9fff" for char in sample)
    latin = sum(char.isascii() and char.isalpha() for char in sample)
    if han > latin / 4:  # a Han character carries about a word, so few of them count
        return "zh"
    words = re.findall(r"[a-zäöüß]+", sample.casefold())
    german = sum(word in _GERMAN for word in words)
    english = sum(word in _ENGLISH for word in words)
    return "de" if german > english else "en"


def _digest(key: str, purpose: str) -> int:
    """A stable number per conversation and purpose (hash() changes between processes)."""
    return int.from_bytes(hashlib.sha256(f"{purpose}:{key}".encode()).digest()[:4], "big")


def closing_time(key: str, *, open_now: bool, now: datetime) -> datetime:
    """Open ones close in 5-40 days; the others closed 1-60 days ago."""
    if open_now:
        return now + timedelta(days=5 + _digest(key, "closes") % 36)
    return now - timedelta(days=1 + _digest(key, "closed") % 60)


def last_comment_time(key: str, *, closes_at: datetime, now: datetime) -> datetime:
    """The last comment lands 2-48 hours before the period (or today) ends."""
    return min(closes_at, now) - timedelta(hours=2 + _digest(key, "last") % 47)


def opening_time(
    conversation: PolisConversation, *, closes_at: datetime, now: datetime
) -> datetime:
    """Three to eight weeks before closing, earlier if the real conversation ran longer."""
    period = timedelta(days=21 + _digest(conversation.key, "period") % 36)
    shift = last_comment_time(conversation.key, closes_at=closes_at, now=now) - (
        conversation.last_written_at
    )
    first_comment = conversation.first_written_at + shift
    return min(closes_at - period, now - timedelta(days=1), first_comment - timedelta(hours=1))


def _plain(markdown: str) -> str:
    """The description as plain text for the summary: links and emphasis markers unwrapped."""
    text = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r"\1 (\2)", markdown)
    text = re.sub(r"<([^<>\s@]+@[^<>\s]+)>", r"\1", text)
    for _ in range(2):  # nested emphasis such as __*closed*__
        text = re.sub(r"(\*\*|__|\*)(\S(?:.*?\S)?)\1", r"\2", text)
    return text


def consultation_input(
    conversation: PolisConversation, *, opens_at: datetime, closes_at: datetime, language: str
) -> ConsultationInput:
    description = conversation.description
    notice = (
        f"Demonstration data from a public Pol.is conversation ({conversation.url}), "
        f"CC BY 4.0, compdemocracy/openData. {ATTRIBUTION}"
    )
    summary = f"{_plain(description)}\n\n{notice}" if description else notice
    # A line starting "## " in the description would start a second section.
    body = re.sub(r"(?m)^## ", "### ", description) or NO_DESCRIPTION
    return ConsultationInput(
        title=conversation.topic,
        summary=summary,
        draft_markdown=f"## {conversation.topic}\n\n{body}\n",
        opens_at=opens_at,
        closes_at=closes_at,
        language=language,
    )


def ensure_consultation(
    conversation: PolisConversation, mapping: PolisMapping, *, open_now: bool, now: datetime
) -> tuple[Consultation, bool]:
    """The conversation's published consultation, and whether it was created now."""
    source_key = f"polis:{conversation.key}"
    existing = db.session.scalar(select(Consultation).where(Consultation.source_key == source_key))
    if existing is not None:
        publish_as_of_opening(existing)
        return existing, False
    # Whole Kazakhstan days, as an officer's form gives them: comments are taken to the end
    # of the closing day, and a closed one ended at a midnight before `now`.
    closes_at = end_of(day_of(closing_time(conversation.key, open_now=open_now, now=now)))
    opens_at = start_of(day_of(opening_time(conversation, closes_at=closes_at, now=now)))
    sample = [conversation.topic, conversation.description]
    language = detect_language(sample + [c.body for c in conversation.comments[:LANGUAGE_SAMPLE]])
    consultation = create_consultation(
        actor=SYSTEM,
        ministry=get_by_code(mapping.ministry_code),
        data=consultation_input(
            conversation, opens_at=opens_at, closes_at=closes_at, language=language
        ),
        demo_source=DemoSource.POLIS,
        source_url=conversation.url,
        source_key=source_key,
        historical=not open_now,
    )
    publish_as_of_opening(consultation)
    return consultation, True


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unique_references(count: int) -> list[str]:
    """`count` new submission references, checked against the database in batches.

    Drawn by services.submissions.new_reference and checked in batches of queries instead of
    one insert each; codes drawn twice or already stored are drawn again.
    """
    found: set[str] = set()
    while len(found) < count:
        batch = {new_reference() for _ in range(count - len(found))} - found
        taken: set[str] = set()
        for chunk in _chunks(sorted(batch), 500):
            stmt = select(Submission.reference).where(Submission.reference.in_(chunk))
            taken.update(db.session.scalars(stmt))
        found |= batch - taken
    return list(found)


def insert_comments(
    consultation: Consultation, conversation: PolisConversation, *, now: datetime
) -> int:
    """Bulk-insert the conversation's comments not stored yet; returns how many were added.

    A trusted demo path: the comments are real and already moderated, so they skip the
    citizen rules (sign-in, open period, length) but not the cleaning of their text.
    """
    stored = set(
        db.session.scalars(
            select(Submission.source_key).where(Submission.consultation_id == consultation.id)
        )
    )
    # One constant shift keeps the real rhythm of the conversation.
    shift = last_comment_time(conversation.key, closes_at=consultation.closes_at, now=now) - (
        conversation.last_written_at
    )
    rows: list[dict[str, Any]] = []
    for comment in conversation.comments:
        source_key = f"polis:{conversation.key}:{comment.comment_id}"
        body = clean_plain_text(comment.body) if source_key not in stored else ""
        if not body:
            continue
        rows.append(
            {
                "consultation_id": consultation.id,
                "section_id": None,
                "author_id": None,
                "author_label": f"Pol.is participant {comment.author_id}",
                "body": body,
                "stance": Stance.NO_POSITION,
                "language": consultation.language,
                "status": SubmissionStatus.RECEIVED,
                "visibility": FACILITATOR_DECISION[comment.moderated],
                "personal_data_kinds": personal_data_kinds(body),
                "created_at": comment.written_at + shift,
                "source_key": source_key,
            }
        )
    if not rows:
        return 0
    for row, reference in zip(rows, unique_references(len(rows)), strict=True):
        row["reference"] = reference
    db.session.execute(insert(Submission), rows)
    db.session.commit()
    return len(rows)


def import_polis(polis_dir: Path, *, now: datetime | None = None) -> PolisImport:
    """Import every mapped conversation found in `polis_dir`; safe to run again."""
    result = PolisImport()
    if not polis_dir.is_dir():
        result.notes.append(f"Pol.is data not found at {polis_dir}: Pol.is import skipped.")
        return result
    now = now or utcnow()
    present = {path.parent.name for path in polis_dir.glob("*/comments.csv")}
    mapped = {mapping.conversation for mapping in POLIS_MINISTRIES}
    for unmapped in sorted(present - mapped):
        result.notes.append(f"Pol.is conversation {unmapped} has no ministry mapped: skipped.")
    for mapping in POLIS_MINISTRIES:
        if mapping.conversation not in present:
            continue
        conversation = read_conversation(polis_dir / mapping.conversation)
        if not conversation.comments:
            result.notes.append(f"Pol.is conversation {conversation.key} has no comments.")
            continue
        consultation, created = ensure_consultation(
            conversation, mapping, open_now=mapping.conversation in OPEN_NOW, now=now
        )
        result.consultations_created += int(created)
        result.comments_created += insert_comments(consultation, conversation, now=now)
    return result
