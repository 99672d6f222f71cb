"""A closed consultation with real comments (three Pol.is conversations, a copied text sent by
several people, Kazakh sentences, one comment holding a phone number), its themes found by the
real engine and written as a build, and people in every role around it.

The build rows are written here from the engine's output, as the rebuild job writes them, so
these tests do not depend on the job code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import pytest
from flask import Flask

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.ml.campaigns import CampaignResult, find_campaigns
from listening_state.ml.themes import ThemeSummary, build_themes
from listening_state.models import (
    Campaign,
    Consultation,
    Ministry,
    ModerationReason,
    PublicCouncil,
    Role,
    Stance,
    Submission,
    Theme,
    ThemeBuild,
    ThemeMember,
    User,
    Visibility,
)
from listening_state.models.base import utcnow
from listening_state.services import consultations, moderation
from tests.factories import (
    make_consultation,
    make_council,
    make_ministry,
    make_submission,
    make_user,
)
from tests.real_text import SHARED_DATA, _require, polis_comments

CONVERSATIONS = ("15-per-hour-seattle", "football-concussions", "scoop-hivemind.biodiversity")
PHONE = "+7 701 123 45 67"
COPIES = 6  # senders of the copied text: a campaign (the engine's minimum is 5)


@cache
def kazakh_sentences(n: int = 4) -> tuple[str, ...]:
    """Real Kazakh sentences from FLORES-200 (sib200, CC BY-SA 4.0)."""
    path = _require(SHARED_DATA / "sib200" / "kaz_Cyrl" / "dev.tsv")
    with path.open(encoding="utf-8") as handle:
        return tuple(row["text"] for row in csv.DictReader(handle, delimiter="\t"))[:n]


def campaign_copies() -> list[str]:
    """One real comment sent by several people, each copy with a different word left out."""
    words = next(c for c in polis_comments("brexit-consensus") if len(c.split()) >= 20).split()
    return [" ".join(words[:k] + words[k + 1 :]) for k in range(COPIES)]


def comment_texts() -> list[str]:
    texts = [c for conversation in CONVERSATIONS for c in polis_comments(conversation)[:12]]
    texts += campaign_copies()
    texts += kazakh_sentences()
    texts.append(f"{polis_comments(CONVERSATIONS[0])[20]} Звоните: {PHONE}.")
    return texts


@cache
def run_engine(
    texts: tuple[str, ...], stances: tuple[str, ...], quotable: tuple[bool, ...]
) -> tuple[ThemeSummary, CampaignResult]:
    """The real engine (cached: the same texts give the same themes in every test)."""
    found = find_campaigns(list(texts))
    campaign_of = [None if c is None else str(c) for c in found.campaign_of]
    summary = build_themes(
        list(texts), stances=list(stances), quotable=list(quotable), campaign_of=campaign_of
    )
    return summary, found


def write_build(
    submissions: list[Submission],
    *,
    consultation: Consultation | None = None,
    ministry: Ministry | None = None,
) -> ThemeBuild:
    """Find the themes of these submissions and store them as one build of the scope."""
    summary, found = run_engine(
        tuple(s.body for s in submissions),
        tuple(s.stance.value for s in submissions),
        tuple(s.visibility is Visibility.PUBLISHED for s in submissions),
    )
    build = ThemeBuild(
        consultation_id=consultation.id if consultation else None,
        ministry_id=ministry.id if ministry else None,
        inputs=len(submissions),
        other_count=summary.other_count,
        chosen_k=summary.chosen_k,
        seconds=1.0,
    )
    db.session.add(build)
    db.session.flush()
    themes = [
        Theme(
            build_id=build.id,
            position=t.id,
            label=t.label,
            keywords=list(t.keywords),
            size=t.size,
            share=t.share,
            stances=t.stances,
            languages=t.languages,
            trend=[[w.week_start.isoformat(), w.count] for w in t.trend],
            quote_ids=[submissions[int(q)].id for q in t.quotes],
        )
        for t in summary.themes
    ]
    db.session.add_all(themes)
    db.session.flush()
    campaigns = []
    for c in found.campaigns:
        theme_index = summary.assignments[c.representative]
        campaigns.append(
            Campaign(
                build_id=build.id,
                theme_id=themes[theme_index].id if theme_index is not None else None,
                size=c.size,
                representative_id=submissions[c.representative].id,
                mean_similarity=c.mean_similarity,
            )
        )
    db.session.add_all(campaigns)
    db.session.flush()
    for position, submission in enumerate(submissions):
        theme_index = summary.assignments[position]
        campaign_index = found.campaign_of[position]
        db.session.add(
            ThemeMember(
                build_id=build.id,
                submission_id=submission.id,
                theme_id=themes[theme_index].id if theme_index is not None else None,
                campaign_id=campaigns[campaign_index].id if campaign_index is not None else None,
            )
        )
    db.session.commit()
    return build


@dataclass
class Heard:
    ministry: Ministry
    other_ministry: Ministry
    council: PublicCouncil
    consultation: Consultation  # closed, post-moderated, two sections
    submissions: list[Submission]
    spam: Submission  # rejected as spam after the build
    hidden: Submission  # rejected as off topic after the build: the ministry still hears it
    phone: Submission  # holds a phone number
    build: ThemeBuild
    officer: User
    other_officer: User
    member: User
    other_member: User
    admin: User
    citizen: User


@pytest.fixture
def heard(app: Flask) -> Heard:
    ministry, other = make_ministry(), make_ministry()
    council = make_council(ministry)
    consultation = make_consultation(ministry, title="Draft law on wages, sport and nature")
    stances = list(Stance)
    made = []
    start = utcnow() - timedelta(days=40)
    for i, text in enumerate(comment_texts()):
        section = (None, 0, 1)[i % 3]
        submission = make_submission(
            consultation, body=text, stance=stances[i % len(stances)], section_index=section
        )
        # Spread over about five weeks, so weeks and date filters have something to split.
        submission.created_at = start + timedelta(days=(i * 5) % 35, hours=i % 24)
        made.append(submission)
    db.session.commit()
    build = write_build(made, consultation=consultation)
    spam, hidden, phone = made[1], made[2], made[-1]
    moderation.reject(actor=SYSTEM, submission=spam, reason=ModerationReason.SPAM)
    moderation.reject(actor=SYSTEM, submission=hidden, reason=ModerationReason.OFF_TOPIC)
    consultations.close_consultation(actor=SYSTEM, consultation=consultation)
    return Heard(
        ministry=ministry,
        other_ministry=other,
        council=council,
        consultation=consultation,
        submissions=made,
        spam=spam,
        hidden=hidden,
        phone=phone,
        build=build,
        officer=make_user(Role.MINISTRY_OFFICER, ministry=ministry),
        other_officer=make_user(Role.MINISTRY_OFFICER, ministry=other),
        member=make_user(Role.COUNCIL_MEMBER, council=council),
        other_member=make_user(Role.COUNCIL_MEMBER, council=make_council(other)),
        admin=make_user(Role.ADMIN),
        citizen=make_user(),
    )
