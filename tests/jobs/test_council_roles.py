"""The daily job that keeps council roles in line with membership dates: a term that ends or
starts on a date set in advance changes the account's access with no one editing it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    CouncilMember,
    JobStatus,
    PublicCouncil,
    Role,
    User,
)
from listening_state.services import councils, jobs, periodic_jobs
from listening_state.services.periodic_jobs import COUNCIL_ROLES_KIND
from tests.factories import make_council, make_council_member, make_ministry, make_user


def _audit_actions() -> list[tuple[str, int | None]]:
    rows = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
    )
    return [(row.action, row.actor_id) for row in rows]


def _linked_member(
    *, started_on: date | None = None, ended_on: date | None = None
) -> tuple[PublicCouncil, User, CouncilMember]:
    council, person = make_council(make_ministry()), make_user()
    member = make_council_member(
        council,
        full_name=person.display_name,
        user=person,
        started_on=started_on,
        ended_on=ended_on,
    )
    return council, person, member


def _pass_time(member: CouncilMember, **dates: date) -> None:
    """The calendar catching up with a stored membership: moving its dates back by hand, as
    the passing days would, with nobody editing it through the service."""
    for name, value in dates.items():
        setattr(member, name, value)
    db.session.commit()


def _just_after_midnight(app: Flask) -> datetime:
    """Early on the local day: before the digest's hour, so only this job is due."""
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(councils.local_today(), time(0, 5), tzinfo=zone)


def test_a_term_that_ended_yesterday_loses_the_role_when_the_daily_job_runs(app: Flask) -> None:
    today = councils.local_today()
    council, person, member = _linked_member(ended_on=today + timedelta(days=30))
    assert council.id in person.council_ids()
    _pass_time(member, ended_on=today - timedelta(days=1))
    assert council.id in person.council_ids(), "nothing has revoked it yet"
    [job] = periodic_jobs.enqueue_due(now=_just_after_midnight(app))
    assert (job.kind, job.subject_key) == (COUNCIL_ROLES_KIND, f"day:{today.isoformat()}")
    assert jobs.run_now(job).status is JobStatus.DONE
    db.session.refresh(person)
    assert council.id not in person.council_ids()
    assert _audit_actions()[-1] == ("role.revoke", None)  # the system, not a person


def test_a_term_ending_today_is_over_today(app: Flask) -> None:
    today = councils.local_today()
    council, person, member = _linked_member(ended_on=today + timedelta(days=1))
    _pass_time(member, ended_on=today)
    assert councils.sync_member_roles(actor=SYSTEM) == 1
    db.session.refresh(person)
    assert council.id not in person.council_ids()


def test_a_future_membership_grants_the_role_only_from_its_start_date(app: Flask) -> None:
    today = councils.local_today()
    council, person, _member = _linked_member(started_on=today + timedelta(days=1))
    assert council.id not in person.council_ids()
    assert "role.grant" not in [action for action, _actor in _audit_actions()]
    assert councils.sync_member_roles(actor=SYSTEM, day=today) == 0
    assert periodic_jobs.enqueue_due(now=_just_after_midnight(app)) == [], "nothing to change today"
    assert councils.sync_member_roles(actor=SYSTEM, day=today + timedelta(days=1)) == 1
    db.session.refresh(person)
    assert council.id in person.council_ids()
    assert _audit_actions()[-1] == ("role.grant", None)


def test_running_the_job_twice_changes_nothing_the_second_time(app: Flask) -> None:
    today = councils.local_today()
    ending = [_linked_member(ended_on=today + timedelta(days=9)) for _ in range(2)]
    for _council, _person, member in ending:
        _pass_time(member, ended_on=today)
    starting = _linked_member(started_on=today + timedelta(days=3))
    _pass_time(starting[2], started_on=today)
    serving = _linked_member()
    [job] = periodic_jobs.enqueue_due(now=_just_after_midnight(app))
    jobs.run_now(job)
    audited = _audit_actions()
    assert [action for action, _actor in audited[-3:]] == ["role.revoke"] * 2 + ["role.grant"]
    assert periodic_jobs.enqueue_due(now=_just_after_midnight(app)) == []
    assert councils.sync_member_roles(actor=SYSTEM) == 0
    assert _audit_actions() == audited
    assert serving[0].id in serving[1].council_ids()


def test_accounts_without_a_linked_membership_keep_their_council_role(app: Flask) -> None:
    council = make_council(make_ministry())
    appointed = make_user(Role.COUNCIL_MEMBER, council=council)
    assert councils.sync_member_roles(actor=SYSTEM) == 0
    assert council.id in appointed.council_ids()
