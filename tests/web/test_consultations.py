"""Finding consultations, reading drafts and commenting on them."""

import re
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from listening_state.extensions import db
from listening_state.models import Role, Stance, Submission
from tests.factories import login, make_consultation, make_ministry, make_submission, make_user
from tests.real_text import polis_comments


def _titles(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/consultations/\d+">([^<]+)</a></h2>', page)


def test_index_filters_by_ministry_and_status(client: FlaskClient) -> None:
    health, energy = make_ministry("MH"), make_ministry("ME")
    make_consultation(health, title="Hospital funding rules", state="open")
    make_consultation(energy, title="Grid tariff methodology", state="closed")
    make_consultation(energy, title="Unpublished energy draft", state="draft")

    everything = _titles(client.get("/consultations").get_data(as_text=True))
    assert sorted(everything) == ["Grid tariff methodology", "Hospital funding rules"]
    by_ministry = client.get(f"/consultations?ministry={energy.id}").get_data(as_text=True)
    assert _titles(by_ministry) == ["Grid tariff methodology"]
    open_only = client.get("/consultations?status=open").get_data(as_text=True)
    assert _titles(open_only) == ["Hospital funding rules"]


def test_index_ignores_an_unknown_status_instead_of_failing(client: FlaskClient) -> None:
    make_consultation(title="Hospital funding rules")
    response = client.get("/consultations?status=bogus&ministry=abc&page=-3")
    assert response.status_code == 200
    assert _titles(response.get_data(as_text=True)) == ["Hospital funding rules"]


def test_index_paginates(client: FlaskClient) -> None:
    ministry = make_ministry()
    for n in range(23):
        make_consultation(ministry, title=f"Consultation number {n:02d}")
    first = client.get("/consultations?sort=title").get_data(as_text=True)
    second = client.get("/consultations?sort=title&page=2").get_data(as_text=True)
    assert len(_titles(first)) == 20
    assert _titles(second) == [
        "Consultation number 20",
        "Consultation number 21",
        "Consultation number 22",
    ]
    assert "Page 1 of 2" in first


def test_closing_soonest_lists_open_before_closed(client: FlaskClient) -> None:
    ministry = make_ministry()
    make_consultation(ministry, title="Closed one", state="closed")
    make_consultation(ministry, title="Upcoming one", state="upcoming")
    make_consultation(ministry, title="Open one", state="open")
    assert _titles(client.get("/consultations").get_data(as_text=True)) == [
        "Open one",
        "Upcoming one",
        "Closed one",
    ]


def test_detail_shows_sections_with_comment_counts(client: FlaskClient) -> None:
    consultation = make_consultation()
    make_submission(consultation, section_index=1)
    make_submission(consultation, section_index=1, body="A second view on the scope section.")
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "1. Purpose" in page
    assert "2. Scope" in page
    assert "0 comments" in page
    assert "2 comments" in page
    assert page.count("Comment on this section</a>") == 2


def test_detail_filters_comments_by_section(client: FlaskClient) -> None:
    consultation = make_consultation()
    make_submission(consultation, section_index=0, body="About the purpose of the draft.")
    make_submission(consultation, section_index=1, body="About the scope of the draft.")
    section = consultation.sections[1]
    page = client.get(f"/consultations/{consultation.id}?section={section.id}").get_data(
        as_text=True
    )
    assert "About the scope of the draft." in page
    assert "About the purpose of the draft." not in page
    assert client.get(f"/consultations/{consultation.id}?section=999999").status_code == 404


def test_draft_consultation_is_hidden_from_the_public_but_not_its_ministry(
    client: FlaskClient,
) -> None:
    ministry = make_ministry()
    draft = make_consultation(ministry, state="draft")
    assert client.get(f"/consultations/{draft.id}").status_code == 404
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    assert client.get(f"/consultations/{draft.id}").status_code == 200


def test_anonymous_visitor_is_sent_to_sign_in_before_commenting(client: FlaskClient) -> None:
    consultation = make_consultation()
    response = client.get(f"/consultations/{consultation.id}/comment")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_citizen_comments_on_a_section_and_gets_a_reference(client: FlaskClient) -> None:
    consultation = make_consultation()
    citizen = make_user()
    login(client, citizen)
    section = consultation.sections[1]
    response = client.post(
        f"/consultations/{consultation.id}/comment",
        data={
            "section_id": str(section.id),
            "stance": "oppose",
            "body": "The scope is too narrow.\nAdd akimats.",
        },
    )
    assert response.status_code == 302
    submission = db.session.scalar(db.select(Submission))
    assert submission is not None
    assert re.fullmatch(r"LS-[A-Z0-9]{4}-[A-Z0-9]{4}", submission.reference)
    assert (submission.section_id, submission.stance, submission.author_id) == (
        section.id,
        Stance.OPPOSE,
        citizen.id,
    )
    assert submission.body == "The scope is too narrow.\nAdd akimats."
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert submission.reference in confirmation
    assert "2. Scope" in confirmation


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"stance": "support", "body": "Too short"}, "body", "must be 10 to 5000 characters"),
        ({"stance": "support", "body": "x" * 5001}, "body", "must be 10 to 5000 characters"),
        (
            {"stance": "support", "body": "   Too short \r\n   "},  # measured as stored
            "body",
            "must be 10 to 5000 characters",
        ),
        ({"stance": "support", "body": ""}, "body", "Please write your comment"),
        ({"stance": "maybe", "body": "A perfectly fine comment."}, "stance", "Not a valid choice"),
    ],
)
def test_bad_comment_gets_a_clear_error_and_nothing_is_saved(
    client: FlaskClient, data: dict[str, str], field: str, message: str
) -> None:
    consultation = make_consultation()
    login(client, make_user())
    response = client.post(f"/consultations/{consultation.id}/comment", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-errors"' in page or message in page
    assert message in page
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 0


@pytest.mark.parametrize(
    ("language", "message"), [("kk", "Жарамды таңдау емес."), ("ru", "Неверный вариант.")]
)
def test_wtforms_own_messages_are_in_the_readers_language(
    client: FlaskClient, language: str, message: str
) -> None:
    consultation = make_consultation()
    login(client, make_user(language=language))
    for _ in range(2):  # the second answer comes from the cached catalogue
        response = client.post(
            f"/consultations/{consultation.id}/comment",
            data={"stance": "maybe", "body": "A perfectly fine comment."},
        )
        assert message in response.get_data(as_text=True)


def _comment_as_a_citizen(client: FlaskClient, *bodies: str) -> list[TestResponse]:
    consultation = make_consultation()
    login(client, make_user())
    url = f"/consultations/{consultation.id}/comment"
    return [client.post(url, data={"stance": "support", "body": body}) for body in bodies]


def test_a_comment_holding_markup_is_refused_and_kept_in_the_form(client: FlaskClient) -> None:
    """Nothing is stripped without a word: the citizen sees what would go, and their text."""
    named, *unnamed = _comment_as_a_citizen(
        client,
        "If salary a<b and b>c the rule fails; write to <citizen@example.kz>.",
        "A comment on the draft <img src=x onerror=alert(1)>",
        "A comment on the draft before <!-- unclosed",
    )
    page = named.get_data(as_text=True)
    assert named.status_code == 200
    assert "would be removed: &lt;b and b&gt;, &lt;citizen@example.kz&gt;." in page
    assert "a&lt;b and b&gt;c the rule fails" in page  # still in the text area
    for response in unnamed:
        assert "taken for web page code" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 0


def test_angle_brackets_that_are_not_markup_are_kept(client: FlaskClient) -> None:
    [response] = _comment_as_a_citizen(client, "Rates <5% and a < b, I <3 this & &lt;that&gt;")
    assert response.status_code == 302
    stored = db.session.scalars(db.select(Submission)).one()
    assert stored.body == "Rates <5% and a < b, I <3 this & <that>"


def test_comment_on_a_closed_consultation_is_refused(client: FlaskClient) -> None:
    consultation = make_consultation(state="closed")
    login(client, make_user())
    response = client.post(
        f"/consultations/{consultation.id}/comment",
        data={"stance": "support", "body": "Too late but still."},
    )
    assert response.status_code == 409
    assert "not open for comments" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 0


def test_section_of_another_consultation_is_refused(client: FlaskClient) -> None:
    consultation, other = make_consultation(), make_consultation()
    login(client, make_user())
    response = client.post(
        f"/consultations/{consultation.id}/comment",
        data={
            "section_id": str(other.sections[0].id),
            "stance": "support",
            "body": "Wrong section id.",
        },
    )
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count(Submission.id))) == 0


def test_submissions_are_rate_limited(app_with: object) -> None:
    consultation = make_consultation()
    user = make_user()
    app = app_with(RATELIMIT_ENABLED=True, SUBMISSION_RATE_LIMIT="2 per minute")  # type: ignore[operator]
    client = app.test_client()
    login(client, user)
    url = f"/consultations/{consultation.id}/comment"
    statuses = [
        client.post(url, data={"stance": "support", "body": f"Comment number {n}."}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_line_breaks_count_as_one_character_each(client: FlaskClient) -> None:
    consultation = make_consultation()
    login(client, make_user())
    body = ("x" * 99 + "\r\n") * 49 + "y" * 99  # 4,999 characters once CRLF becomes LF
    response = client.post(
        f"/consultations/{consultation.id}/comment", data={"stance": "support", "body": body}
    )
    assert response.status_code == 302
    stored = db.session.scalar(db.select(Submission))
    assert stored is not None
    assert len(stored.body) == 4999


def test_pagination_links_ignore_arguments_that_clash_with_the_route(client: FlaskClient) -> None:
    consultation = make_consultation()
    for n in range(3):
        make_submission(consultation, body=f"Comment number {n} on the draft.")
    client.application.config["PAGE_SIZE"] = 1
    page = client.get(f"/consultations/{consultation.id}?consultation_id=999&_anchor=x&_external=1")
    assert page.status_code == 200
    assert f'href="/consultations/{consultation.id}?page=2"' in page.get_data(as_text=True)


class _LangOfText(HTMLParser):
    """Each text node of a page with the language in force there (the nearest lang)."""

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            lang = dict(attrs).get("lang")
            self.stack.append(lang or (self.stack[-1] if self.stack else ""))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack:
            self.texts.append((data.strip(), self.stack[-1]))


def test_the_drafts_words_carry_its_language_and_the_interface_the_readers(
    client: FlaskClient,
) -> None:
    """A screen reader speaks each part in its own language: a Russian reader of an English
    draft hears the status, dates and headings in Russian, the draft itself in English."""
    consultation = make_consultation(language="en", summary=polis_comments()[0])
    client.post("/language/ru")
    parser = _LangOfText()
    parser.feed(client.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    langs = dict(parser.texts)
    assert langs[consultation.title] == "en"
    assert langs[consultation.sections[0].heading] == "en"
    assert langs["Открыто"] == "ru"  # the status badge
    assert langs["Текст проекта"] == "ru"  # "The draft", the table of contents' heading
