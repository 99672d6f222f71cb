"""A consultation with real comments on three unrelated subjects, and helpers to rebuild its
themes through the job queue the way the worker does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    BackgroundJob,
    Consultation,
    Ministry,
    Submission,
    ThemeBuild,
    ThemeMember,
    User,
)
from listening_state.services import jobs, theme_builds
from tests.factories import make_consultation, make_ministry, make_submission, make_user
from tests.real_text import polis_comments

# Three real Pol.is conversations on unrelated subjects.
CONVERSATIONS = ("15-per-hour-seattle", "football-concussions", "scoop-hivemind.biodiversity")
PER_CONVERSATION = 15


def subject_comments(per_conversation: int = PER_CONVERSATION, skip: int = 0) -> list[str]:
    """Real comments, `per_conversation` of each subject (after the first `skip`), in turn."""
    lists = [polis_comments(name)[skip : skip + per_conversation] for name in CONVERSATIONS]
    return [comment for group in zip(*lists, strict=True) for comment in group]


@dataclass
class Heard:
    ministry: Ministry
    consultation: Consultation
    author: User
    submissions: list[Submission]


@pytest.fixture
def heard(app: Flask) -> Heard:
    ministry = make_ministry()
    consultation = make_consultation(ministry, title="Draft law on wages, sport and nature")
    author = make_user()
    submissions = [make_submission(consultation, author, body=body) for body in subject_comments()]
    return Heard(ministry, consultation, author, submissions)


def rebuild(
    consultation: Consultation | None = None, ministry: Ministry | None = None
) -> BackgroundJob:
    """Queue a rebuild and run it at once in this process, as `themes rebuild --wait` does."""
    job = theme_builds.request_rebuild(actor=SYSTEM, consultation=consultation, ministry=ministry)
    return jobs.run_now(job)


def build_of(consultation: Consultation) -> ThemeBuild:
    build = theme_builds.latest_build(theme_builds.Scope(consultation_id=consultation.id))
    assert build is not None
    return build


def member_count(build_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(ThemeMember).where(ThemeMember.build_id == build_id)
        )
        or 0
    )
