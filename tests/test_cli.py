"""The flask command groups: demo content, user accounts and council roles."""

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskCliRunner

from listening_state.extensions import db
from listening_state.models import Consultation, Role, Submission, User, Visibility
from listening_state.services import councils
from listening_state.services.accounts import authenticate
from tests.factories import make_council, make_council_member, make_ministry, make_user


def test_users_create_makes_each_kind_of_account(runner: FlaskCliRunner) -> None:
    ministry = make_ministry("MNE")
    council = make_council(ministry)
    cases = [
        ("citizen", []),
        ("ministry_officer", ["--ministry", "mne"]),
        ("council_member", ["--council", str(council.id)]),
        ("admin", []),
    ]
    for role, extra in cases:
        result = runner.invoke(
            args=[
                "users",
                "create",
                "--email",
                f"{role}@Example.kz",
                "--password",
                "a long password",
                "--role",
                role,
                *extra,
            ]
        )
        assert result.exit_code == 0, result.output
        user = authenticate(email=f"{role}@example.kz", password="a long password")
        assert user is not None
        assert user.has_role(Role(role))
    officer = authenticate(email="ministry_officer@example.kz", password="a long password")
    assert officer is not None
    assert officer.ministry_ids() == {ministry.id}


def test_users_create_explains_bad_input(runner: FlaskCliRunner) -> None:
    unknown = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.kz",
            "--password",
            "a long password",
            "--role",
            "ministry_officer",
            "--ministry",
            "NOPE",
        ]
    )
    assert unknown.exit_code != 0
    assert "ministry NOPE" in unknown.output
    missing = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "a@b.kz",
            "--password",
            "a long password",
            "--role",
            "ministry_officer",
        ]
    )
    assert missing.exit_code != 0
    assert "needs a ministry" in missing.output
    short = runner.invoke(args=["users", "create", "--email", "a@b.kz", "--password", "short"])
    assert "at least 8 characters" in short.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def _row_counts() -> tuple[int | None, ...]:
    return tuple(
        db.session.scalar(db.select(db.func.count(m.id))) for m in (Consultation, Submission, User)
    )


def test_demo_load_is_idempotent_and_prints_accounts_for_every_role(
    app: Flask, runner: FlaskCliRunner
) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    for email in ("citizen@demo.kz", "council@demo.kz", "officer@demo.kz", "admin@demo.kz"):
        assert email in first.output
    counts = _row_counts()
    assert counts[0] == 24  # 4 demonstration drafts and 20 Pol.is conversations
    assert counts[1] > 10_000  # the real Pol.is comments
    hidden = db.session.scalar(
        db.select(db.func.count(Submission.id)).where(Submission.visibility == Visibility.HIDDEN)
    )
    assert hidden is not None
    assert hidden > 0  # facilitators' real rejections stay hidden from the public
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert _row_counts() == counts


def test_councils_sync_roles_revokes_the_role_of_an_ended_term_once(
    runner: FlaskCliRunner,
) -> None:
    council, person = make_council(make_ministry()), make_user()
    member = make_council_member(
        council, user=person, ended_on=councils.local_today() + timedelta(days=1)
    )
    member.ended_on = councils.local_today()  # the date came round; nobody edited it
    db.session.commit()
    result = runner.invoke(args=["councils", "sync-roles"])
    assert result.exit_code == 0, result.output
    assert "Council roles changed: 1" in result.output
    db.session.refresh(person)
    assert council.id not in person.council_ids()
    assert "Council roles changed: 0" in runner.invoke(args=["councils", "sync-roles"]).output
