"""A consultation's dates: officers give days, citizens comment to the end of the closing day
in Kazakhstan time (UTC+5), and every page shows that last day."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import Consultation, ConsultationStatus, Role, Submission, User
from listening_state.models import consultation as consultation_model
from listening_state.services import consultation_period, consultations
from listening_state.services.consultations import ConsultationInput
from listening_state.services.errors import PermissionDenied, ValidationFailed
from tests.factories import DRAFT, login, make_consultation, make_ministry, make_user

PAST = "The closing date must be today or later."
Clock = Callable[[datetime], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Sets the time the consultation rules read (the status check and the services)."""

    def set_to(at: datetime) -> None:
        for module in (consultation_model, consultations):
            monkeypatch.setattr(module, "utcnow", lambda: at)

    return set_to


def _kazakhstan(day: date, hour: int, minute: int) -> datetime:
    """A Kazakhstan wall-clock time (UTC+5 since March 2024) as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=5)


def _officer_form(ministry_id: int, opens_on: str, closes_on: str, **extra: str) -> dict[str, str]:
    return {
        "ministry": str(ministry_id),
        "title": "Draft law on public consultation",
        "language": "en",
        "moderation_mode": "post",
        "opens_on": opens_on,
        "closes_on": closes_on,
        "draft": DRAFT,
        **extra,
    }


def _signed_in_officer(client: FlaskClient) -> User:
    ministry = make_ministry()
    officer: User = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    login(client, officer)
    return officer


def _ministry_id(officer: User) -> int:
    return next(iter(officer.ministry_ids()))


def _published(client: FlaskClient, officer: User, closes_on: str) -> Consultation:
    """The officer's consultation, open from today (Kazakhstan) to `closes_on`, published."""
    today = str(consultation_period.day_of(datetime.now(UTC)))
    form = _officer_form(_ministry_id(officer), today, closes_on)
    assert client.post("/manage/consultations/new", data=form).status_code == 302
    consultation: Consultation = db.session.scalars(db.select(Consultation)).one()
    assert client.post(f"/manage/consultations/{consultation.id}/publish").status_code == 302
    return consultation


def _form_of(consultation: Consultation, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it in, with some fields changed."""
    opens_on = consultation_period.day_of(consultation.opens_at)
    closes_on = consultation_period.last_day(consultation.closes_at)
    form = _officer_form(consultation.ministry_id, str(opens_on), str(closes_on))
    return form | changes


def test_a_closing_date_already_past_is_refused_when_saving(client: FlaskClient) -> None:
    officer = _signed_in_officer(client)
    response = client.post(
        "/manage/consultations/new",
        data=_officer_form(_ministry_id(officer), "2020-01-01", "2020-02-01"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<ul class="errors" id="closes_on-errors">\n        <li>{PAST}</li>' in page
    assert db.session.scalar(db.select(db.func.count(Consultation.id))) == 0


def test_publishing_after_the_closing_date_is_refused(client: FlaskClient, clock: Clock) -> None:
    officer = _signed_in_officer(client)
    form = _officer_form(_ministry_id(officer), "2030-01-01", "2030-02-01")
    assert client.post("/manage/consultations/new", data=form).status_code == 302
    consultation = db.session.scalars(db.select(Consultation)).one()
    clock(_kazakhstan(date(2030, 2, 2), 8, 0))  # the draft waited past its closing day
    response = client.post(f"/manage/consultations/{consultation.id}/publish")
    assert response.headers["Location"] == f"/manage/consultations/{consultation.id}/edit"
    assert PAST in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.DRAFT


def test_today_is_kazakhstans_date_not_the_servers(client: FlaskClient, clock: Clock) -> None:
    officer = _signed_in_officer(client)
    clock(_kazakhstan(date(2030, 2, 2), 1, 0))  # still 1 February in UTC
    yesterday = _officer_form(_ministry_id(officer), "2030-01-01", "2030-02-01")
    assert PAST in client.post("/manage/consultations/new", data=yesterday).get_data(as_text=True)
    today = _officer_form(_ministry_id(officer), "2030-01-01", "2030-02-02")
    assert client.post("/manage/consultations/new", data=today).status_code == 302


@pytest.mark.usefixtures("app")
def test_the_service_refuses_a_past_closing_date_whoever_calls_it() -> None:
    ministry = make_ministry()
    officer = make_user(Role.MINISTRY_OFFICER, ministry=ministry)
    data = ConsultationInput(
        title="Draft law on public consultation",
        summary="",
        draft_markdown=DRAFT,
        opens_at=datetime(2020, 1, 1, tzinfo=UTC),
        closes_at=datetime(2020, 2, 1, tzinfo=UTC),
    )
    with pytest.raises(ValidationFailed) as refused:
        consultations.create_consultation(actor=officer, ministry=ministry, data=data)
    assert refused.value.errors == {"closes_at": [PAST]}
    with pytest.raises(PermissionDenied):  # recording a past period is the system's alone
        consultations.create_consultation(
            actor=officer, ministry=ministry, data=data, historical=True
        )
    draft = consultations.create_consultation(
        actor=SYSTEM, ministry=ministry, data=data, historical=True
    )
    with pytest.raises(ValidationFailed) as refused:
        consultations.publish_consultation(actor=officer, consultation=draft)
    assert refused.value.errors == {"closes_at": [PAST]}
    assert draft.published_at is None


def test_the_text_of_a_closed_consultation_can_still_be_corrected(client: FlaskClient) -> None:
    consultation = make_consultation(state="closed")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=consultation.ministry))
    closes_at = consultation.closes_at
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit",
        data=_form_of(consultation, title="Draft law, corrected after closing"),
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.title == "Draft law, corrected after closing"
    assert (consultation.closes_at, consultation.status()) == (closes_at, ConsultationStatus.CLOSED)


def test_correcting_a_consultation_closed_early_does_not_reopen_it(client: FlaskClient) -> None:
    consultation = make_consultation(state="open")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=consultation.ministry))
    assert client.post(f"/manage/consultations/{consultation.id}/close").status_code == 302
    db.session.refresh(consultation)
    edit_page = client.get(f"/manage/consultations/{consultation.id}/edit").get_data(as_text=True)
    assert f'value="{_form_of(consultation)["closes_on"]}"' in edit_page  # today's date
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit",
        data=_form_of(consultation, title="Draft law, corrected after closing"),
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.status() is ConsultationStatus.CLOSED


def test_moving_an_open_consultations_closing_date_into_the_past_is_refused(
    client: FlaskClient,
) -> None:
    consultation = make_consultation(state="open")
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=consultation.ministry))
    yesterday = consultation_period.day_of(datetime.now(UTC)) - timedelta(days=1)
    response = client.post(
        f"/manage/consultations/{consultation.id}/edit",
        data=_form_of(consultation, closes_on=str(yesterday)),
    )
    assert PAST in response.get_data(as_text=True)
    db.session.refresh(consultation)
    assert consultation.is_open()


def test_pages_show_the_closing_day_as_the_last_day_for_comments(client: FlaskClient) -> None:
    officer = _signed_in_officer(client)
    consultation = _published(client, officer, "2030-02-01")
    # Stored as the first instant comments are refused: the midnight after, UTC+5.
    assert consultation.closes_at == datetime(2030, 2, 1, 19, 0, tzinfo=UTC)
    detail = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "to Feb 1, 2030, 11:59\u202fPM" in detail
    assert "Feb 2, 2030" not in detail
    listing = client.get("/consultations").get_data(as_text=True)
    assert "Closes Feb 1, 2030, 11:59\u202fPM" in listing


def test_the_last_day_is_shown_in_kazakhstan_time_in_russian(client: FlaskClient) -> None:
    consultation = make_consultation(state="open")
    consultation.closes_at = consultation_period.end_of(date(2030, 12, 16))
    db.session.commit()
    login(client, make_user(language="ru"))
    listing = client.get("/consultations").get_data(as_text=True)
    assert "Закрывается: 16 дек. 2030\u202fг., 23:59" in listing


def test_a_comment_late_on_the_closing_day_is_taken_and_one_next_morning_refused(
    client: FlaskClient, clock: Clock
) -> None:
    officer = _signed_in_officer(client)
    consultation = _published(client, officer, "2030-02-01")
    login(client, make_user())
    url = f"/consultations/{consultation.id}/comment"
    clock(_kazakhstan(date(2030, 2, 1), 23, 30))
    late = client.post(url, data={"stance": "support", "body": "Just in time for the draft."})
    assert late.status_code == 302
    clock(_kazakhstan(date(2030, 2, 2), 8, 0))
    too_late = client.post(url, data={"stance": "support", "body": "A day late for the draft."})
    assert too_late.status_code == 409
    assert "not open for comments" in too_late.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 1
