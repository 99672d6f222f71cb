"""Load the demonstration data set through the services; safe to run any number of times."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select

from listening_state.authz import SYSTEM
from listening_state.demo.drafts import DEMO_DRAFTS, DemoDraft
from listening_state.demo.ministries import GOVERNMENT_BODIES, GovernmentBody
from listening_state.demo.polis import import_polis
from listening_state.demo.publishing import publish_as_of_opening
from listening_state.extensions import db
from listening_state.models import (
    Consultation,
    CouncilMeeting,
    DemoSource,
    MeetingStatus,
    Ministry,
    PublicCouncil,
    Role,
)
from listening_state.models.base import utcnow
from listening_state.services import accounts, calendar, consultation_period, councils, ministries
from listening_state.services.consultations import ConsultationInput, create_consultation

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA_ENV = "LISTENING_STATE_SHARED_DATA_DIR"
# Published in the README and printed by the CLI: these accounts exist only in demo databases.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105
MEETINGS_COUNCIL_OF = "MNE"
# The demo council member also sits on this council, whose imported Pol.is conversation has
# 1,544 real comments its facilitators never moderated: a real queue to work through.
QUEUE_COUNCIL_OF = "MCI"

HELD_MEETING_TITLE = "[Demonstration] Discussion of the draft update of the Concept 2030"
HELD_MEETING_AGENDA = (
    "Demonstration record: sample content of the Listening State platform; this meeting did "
    "not take place.\n\n"
    "1. Presentation by the Ministry of National Economy of the draft update of the Concept "
    "for the Development of Public Administration until 2030.\n"
    "2. Discussion of the draft and of the plan for its public consultation.\n"
    "3. Any other business."
)
HELD_MEETING_MINUTES = (
    "Demonstration record: these minutes are sample content and record no real meeting, "
    "decision or person.\n\n"
    "1. The Ministry presented the draft update of the Concept and the timetable of its public "
    "consultation.\n"
    "2. Members asked that the consultation stay open for at least four weeks and that the "
    "Ministry publish a report on how the comments received were taken into account.\n"
    "3. The council agreed to review citizens' comments on the draft at its next meeting."
)
PLANNED_MEETING_TITLE = "[Demonstration] Review of citizens' comments on the Concept 2030 update"
PLANNED_MEETING_AGENDA = (
    "Demonstration record: sample content of the Listening State platform; this meeting is "
    "not really planned.\n\n"
    "1. Review of the comments received in the public consultation on the draft update of the "
    "Concept 2030.\n"
    "2. The council's recommendations to the Ministry of National Economy.\n"
    "3. The council's work plan for the next quarter."
)


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    display_name: str


@dataclass
class DemoReport:
    """What one run of the loader created, and the accounts to sign in with."""

    ministries_created: int = 0
    councils_created: int = 0
    drafts_created: int = 0
    polis_consultations_created: int = 0
    polis_comments_created: int = 0
    meetings_created: int = 0
    accounts_created: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def created_total(self) -> int:
        return (
            self.ministries_created
            + self.councils_created
            + self.drafts_created
            + self.polis_consultations_created
            + self.polis_comments_created
            + self.meetings_created
            + self.accounts_created
        )

    def summary(self) -> str:
        """Plain text for the command line."""
        lines = [
            f"Ministries and agencies created: {self.ministries_created}",
            f"Public Councils created: {self.councils_created}",
            f"Demonstration drafts created: {self.drafts_created}",
            f"Pol.is consultations created: {self.polis_consultations_created}",
            f"Pol.is comments imported: {self.polis_comments_created}",
            f"Council meetings created: {self.meetings_created}",
            f"Demo accounts created: {self.accounts_created}",
            *self.notes,
            f"Done in {self.seconds:.1f} s.",
            "Demo accounts:",
        ]
        lines += [
            f"  {account.role:<17} {account.email:<20} password: {account.password}"
            for account in self.accounts
        ]
        return "\n".join(lines)


def resolve_shared_data_dir(explicit: Path | None = None) -> Path:
    """The argument, else SHARED_DATA_DIR, else the environment, else <project>/../shared/data."""
    if explicit is not None:
        return explicit
    configured = current_app.config.get("SHARED_DATA_DIR") if has_app_context() else None
    configured = configured or os.environ.get(SHARED_DATA_ENV)
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "data"


def load_demo(shared_data_dir: Path | None = None) -> DemoReport:
    """Create whatever of the demo data set is missing (needs an app context)."""
    started = time.perf_counter()
    report = DemoReport()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    _load_bodies(report)
    seeded = calendar.seed_calendar(actor=SYSTEM, years=(now.year, now.year + 1))
    report.notes.append(f"Working calendar days added: {seeded.added}")
    for draft in DEMO_DRAFTS:
        report.drafts_created += int(_load_draft(draft, now))
    polis = import_polis(resolve_shared_data_dir(shared_data_dir) / "polis", now=now)
    report.polis_consultations_created = polis.consultations_created
    report.polis_comments_created = polis.comments_created
    report.notes += polis.notes
    council = _council_of(MEETINGS_COUNCIL_OF)
    report.meetings_created = _load_meetings(council, now.date())
    _load_accounts(report, council)
    report.seconds = time.perf_counter() - started
    return report


def _load_bodies(report: DemoReport) -> None:
    known_codes = set(db.session.scalars(select(Ministry.code)))
    with_council = set(db.session.scalars(select(PublicCouncil.ministry_id)))
    for body in GOVERNMENT_BODIES:
        ministry = ministries.upsert_ministry(
            actor=SYSTEM,
            code=body.code,
            name_kk=body.name_kk,
            name_ru=body.name_ru,
            name_en=body.name_en,
            mandate=body.mandate,
        )
        councils.upsert_ministry_council(actor=SYSTEM, ministry=ministry, data=_council_input(body))
        report.ministries_created += int(body.code not in known_codes)
        report.councils_created += int(ministry.id not in with_council)


def _council_input(body: GovernmentBody) -> councils.CouncilInput:
    return councils.CouncilInput(
        name_kk=body.council_name_kk,
        name_ru=body.council_name_ru,
        name_en=body.council_name_en,
        description=body.council_description,
    )


def _load_draft(draft: DemoDraft, now: datetime) -> bool:
    existing = db.session.scalar(
        select(Consultation).where(Consultation.source_key == draft.source_key)
    )
    if existing is not None:
        publish_as_of_opening(existing)  # finishes a run that stopped half-way
        return False
    # Whole Kazakhstan days, as an officer's form gives them.
    today = consultation_period.day_of(now)
    opens_at, closes_at = consultation_period.instants(
        today - timedelta(days=draft.opened_days_ago), today + timedelta(days=draft.closes_in_days)
    )
    consultation = create_consultation(
        actor=SYSTEM,
        ministry=ministries.get_by_code(draft.ministry_code),
        data=ConsultationInput(
            title=draft.title,
            summary=draft.summary,
            draft_markdown=draft.markdown,
            opens_at=opens_at,
            closes_at=closes_at,
            language=draft.language,
        ),
        demo_source=DemoSource.DEMO_DRAFT,
        source_key=draft.source_key,
    )
    publish_as_of_opening(consultation)
    return True


def _council_of(code: str) -> PublicCouncil:
    ministry = ministries.get_by_code(code)
    council = db.session.scalar(
        select(PublicCouncil).where(PublicCouncil.ministry_id == ministry.id)
    )
    if council is None:  # only if the code is missing from GOVERNMENT_BODIES
        raise LookupError(f"no Public Council for {code}")
    return council


def _mid_month(today: date, months_ahead: int) -> date:
    month_index = today.year * 12 + today.month - 1 + months_ahead
    return date(month_index // 12, month_index % 12 + 1, 15)


def _load_meetings(council: PublicCouncil, today: date) -> int:
    existing = set(
        db.session.scalars(
            select(CouncilMeeting.title).where(CouncilMeeting.council_id == council.id)
        )
    )
    meetings = (
        councils.MeetingInput(
            held_on=_mid_month(today, -1),
            title=HELD_MEETING_TITLE,
            agenda=HELD_MEETING_AGENDA,
            minutes=HELD_MEETING_MINUTES,
            status=MeetingStatus.HELD,
        ),
        councils.MeetingInput(
            held_on=_mid_month(today, 1),
            title=PLANNED_MEETING_TITLE,
            agenda=PLANNED_MEETING_AGENDA,
            status=MeetingStatus.PLANNED,
        ),
    )
    created = 0
    for meeting in meetings:
        if meeting.title not in existing:
            councils.schedule_meeting(actor=SYSTEM, council=council, data=meeting)
            created += 1
    return created


def _load_accounts(report: DemoReport, council: PublicCouncil) -> None:
    ministry = council.ministry
    wanted = (
        ("citizen@demo.kz", "Demo citizen", Role.CITIZEN, None, None),
        ("council@demo.kz", "Demo council member", Role.COUNCIL_MEMBER, None, council),
        ("officer@demo.kz", "Demo ministry officer", Role.MINISTRY_OFFICER, ministry, None),
        ("admin@demo.kz", "Demo administrator", Role.ADMIN, None, None),
    )
    for email, display_name, role, role_ministry, role_council in wanted:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(
                email=email,
                display_name=display_name,
                password=DEMO_PASSWORD,
                language="en",
                roles=[(role, role_ministry, role_council)],
            )
            report.accounts_created += 1
        report.accounts.append(DemoAccount(email, DEMO_PASSWORD, role.value, display_name))
    member = accounts.find_user_by_email("council@demo.kz")
    if member is not None:
        accounts.grant_role(
            actor=SYSTEM,
            user=member,
            role=Role.COUNCIL_MEMBER,
            council=_council_of(QUEUE_COUNCIL_OF),
        )
