"""Council recommendations and the ministry's answers; meeting documents, uploaded and served."""

import io
import zipfile
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import (
    AuditEntry,
    CouncilMeeting,
    CouncilRecommendation,
    MeetingDocument,
    PublicCouncil,
    RecommendationStatus,
    Role,
)
from listening_state.services import council_documents, council_recommendations
from listening_state.services.council_documents import clean_file_name
from listening_state.services.errors import InvalidTransition, ValidationFailed
from tests.factories import (
    KAZAKH_SENTENCE,
    MINISTRY_ANSWER,
    RECOMMENDATION_TEXT,
    RECOMMENDATION_TITLE,
    login,
    make_consultation,
    make_council,
    make_meeting,
    make_ministry,
    make_recommendation,
    make_user,
    make_user_for_council,
)

KEEPERS = ["officer", "council_member", "admin"]
OUTSIDERS = ["citizen", "other_council_member", "other_officer"]
ANSWERERS = ["officer", "admin"]
NOT_ANSWERERS = ["citizen", "council_member", "other_council_member", "other_officer"]


@pytest.fixture(autouse=True)
def document_dir(app: Flask, tmp_path: Path) -> Path:
    """Each test stores its files in its own folder, never in the real instance folder."""
    folder = tmp_path / "council_documents"
    app.config["COUNCIL_DOCUMENT_DIR"] = str(folder)
    return folder


@pytest.fixture
def council(app: Flask) -> PublicCouncil:
    return make_council(make_ministry())


def _audit(action: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(stmt))


# ---------- Recommendations ----------


def _recommendation_form(**extra: str) -> dict[str, str]:
    form = {
        "title": RECOMMENDATION_TITLE,
        "issued_on": "2026-02-03",
        "meeting": "0",
        "consultation": "0",
        "text": RECOMMENDATION_TEXT,
    }
    return form | extra


@pytest.mark.parametrize("role", KEEPERS)
def test_keepers_issue_recommendations_that_the_council_page_shows(
    client: FlaskClient, council: PublicCouncil, role: str
) -> None:
    assert council.ministry is not None
    meeting = make_meeting(council, title="Қоғамдық кеңес отырысы")
    consultation = make_consultation(council.ministry, title="Draft law on public consultation")
    user = make_user_for_council(role, council)
    login(client, user)
    new = f"/manage/councils/{council.id}/recommendations/new"
    assert client.get(new).status_code == 200
    form = _recommendation_form(meeting=str(meeting.id), consultation=str(consultation.id))
    assert client.post(new, data=form).status_code == 302
    recommendation = db.session.scalar(select(CouncilRecommendation))
    assert recommendation is not None
    assert (recommendation.meeting_id, recommendation.consultation_id) == (
        meeting.id,
        consultation.id,
    )
    assert recommendation.status is RecommendationStatus.ISSUED
    [entry] = _audit("council.recommendation_issued")
    assert (entry.actor_id, entry.after["status"]) == (user.id, "issued")
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    for text in (
        RECOMMENDATION_TITLE,
        "February 3, 2026",
        "Awaiting the ministry&#39;s answer",
        "The ministry has not answered yet.",
        f"/consultations/{consultation.id}",
        f"/councils/{council.id}/meetings/{meeting.id}",
    ):
        assert text in page
    assert "tree’s health" in page


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_issue_or_edit_recommendations(
    client: FlaskClient, council: PublicCouncil, role: str
) -> None:
    recommendation = make_recommendation(council)
    login(client, make_user_for_council(role, council))
    new = f"/manage/councils/{council.id}/recommendations/new"
    edit = f"/manage/recommendations/{recommendation.id}/edit"
    form = _recommendation_form(title="Intruder title")
    for response in (
        client.get(new),
        client.post(new, data=form),
        client.get(edit),
        client.post(edit, data=form),
    ):
        assert response.status_code == 403
    assert db.session.scalar(select(db.func.count(CouncilRecommendation.id))) == 1
    db.session.refresh(recommendation)
    assert recommendation.title == RECOMMENDATION_TITLE


def test_recommendation_form_errors_are_shown_and_nothing_is_saved(
    client: FlaskClient, council: PublicCouncil
) -> None:
    other_meeting = make_meeting(make_council(make_ministry()))
    login(client, make_user(Role.COUNCIL_MEMBER, council=council))
    response = client.post(
        f"/manage/councils/{council.id}/recommendations/new",
        data=_recommendation_form(text="Too short", meeting=str(other_meeting.id)),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Not a valid choice" in page
    assert db.session.scalar(select(CouncilRecommendation)) is None
    with pytest.raises(ValidationFailed) as refused:
        council_recommendations.issue_recommendation(
            actor=SYSTEM,
            council=council,
            data=council_recommendations.RecommendationInput(
                title=RECOMMENDATION_TITLE,
                text="Too short",
                issued_on=other_meeting.held_on,
                meeting=other_meeting,
            ),
        )
    assert set(refused.value.errors) == {"text", "meeting"}


def test_a_recommendation_can_be_corrected_until_the_ministry_answers(
    client: FlaskClient, council: PublicCouncil
) -> None:
    recommendation = make_recommendation(council)
    login(client, make_user(Role.COUNCIL_MEMBER, council=council))
    edit = f"/manage/recommendations/{recommendation.id}/edit"
    assert RECOMMENDATION_TITLE in client.get(edit).get_data(as_text=True)
    assert client.post(edit, data=_recommendation_form(text=KAZAKH_SENTENCE)).status_code == 302
    db.session.refresh(recommendation)
    assert recommendation.text == KAZAKH_SENTENCE
    [entry] = _audit("council.recommendation_changed")
    assert (entry.before["text"], entry.after["text"]) == (RECOMMENDATION_TEXT, KAZAKH_SENTENCE)

    council_recommendations.answer_recommendation(
        actor=SYSTEM,
        recommendation=recommendation,
        status=RecommendationStatus.REJECTED,
        answer=MINISTRY_ANSWER,
    )
    refused = client.get(edit, follow_redirects=True).get_data(as_text=True)
    assert "it can no longer change" in refused
    client.post(edit, data=_recommendation_form(text=RECOMMENDATION_TEXT))
    db.session.refresh(recommendation)
    assert recommendation.text == KAZAKH_SENTENCE
    with pytest.raises(InvalidTransition):
        council_recommendations.update_recommendation(
            actor=SYSTEM,
            recommendation=recommendation,
            data=council_recommendations.RecommendationInput(
                title=RECOMMENDATION_TITLE, text=RECOMMENDATION_TEXT, issued_on=date(2026, 2, 3)
            ),
        )


@pytest.mark.parametrize("role", ANSWERERS)
def test_the_ministry_answers_a_recommendation(
    client: FlaskClient, council: PublicCouncil, role: str
) -> None:
    recommendation = make_recommendation(council)
    user = make_user_for_council(role, council)
    login(client, user)
    url = f"/manage/recommendations/{recommendation.id}/answer"
    assert RECOMMENDATION_TEXT[:40] in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"status": "partly_accepted", "answer": MINISTRY_ANSWER})
    assert response.status_code == 302
    db.session.refresh(recommendation)
    assert recommendation.status is RecommendationStatus.PARTLY_ACCEPTED
    assert recommendation.ministry_answer == MINISTRY_ANSWER
    assert recommendation.answered_by_id == user.id
    assert recommendation.answered_at is not None
    [entry] = _audit("council.recommendation_answered")
    assert (entry.before["status"], entry.after["status"]) == ("issued", "partly_accepted")
    page = client.get(f"/councils/{council.id}").get_data(as_text=True)
    assert "Partly accepted" in page
    assert "The ministry&#39;s answer" in page
    assert "living link to our history" in page
    assert "The ministry has not answered yet." not in page


@pytest.mark.parametrize("role", NOT_ANSWERERS)
def test_nobody_but_the_ministry_answers_for_it(
    client: FlaskClient, council: PublicCouncil, role: str
) -> None:
    recommendation = make_recommendation(council)
    login(client, make_user_for_council(role, council))
    url = f"/manage/recommendations/{recommendation.id}/answer"
    assert client.get(url).status_code == 403
    form = {"status": "accepted", "answer": MINISTRY_ANSWER}
    assert client.post(url, data=form).status_code == 403
    db.session.refresh(recommendation)
    assert (recommendation.status, recommendation.answered_at) == (
        RecommendationStatus.ISSUED,
        None,
    )
    assert _audit("council.recommendation_answered") == []


def test_anonymous_visitors_cannot_answer(client: FlaskClient, council: PublicCouncil) -> None:
    recommendation = make_recommendation(council)
    url = f"/manage/recommendations/{recommendation.id}/answer"
    response = client.post(url, data={"status": "accepted", "answer": MINISTRY_ANSWER})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_an_answer_needs_a_decision_and_its_reasons(
    client: FlaskClient, council: PublicCouncil
) -> None:
    recommendation = make_recommendation(council)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=council.ministry))
    url = f"/manage/recommendations/{recommendation.id}/answer"
    no_text = client.post(url, data={"status": "accepted", "answer": ""})
    assert no_text.status_code == 400
    assert "This field is required." in no_text.get_data(as_text=True)
    still_issued = client.post(url, data={"status": "issued", "answer": MINISTRY_ANSWER})
    assert still_issued.status_code == 400
    assert "Not a valid choice" in still_issued.get_data(as_text=True)
    db.session.refresh(recommendation)
    assert recommendation.status is RecommendationStatus.ISSUED
    with pytest.raises(ValidationFailed) as refused:
        council_recommendations.answer_recommendation(
            actor=SYSTEM,
            recommendation=recommendation,
            status=RecommendationStatus.ISSUED,
            answer="No.",
        )
    assert set(refused.value.errors) == {"status", "answer"}


def test_a_revised_answer_is_audited_with_the_status_before_and_after(
    council: PublicCouncil,
) -> None:
    recommendation = make_recommendation(council)
    officer = make_user(Role.MINISTRY_OFFICER, ministry=council.ministry)
    for status in (RecommendationStatus.REJECTED, RecommendationStatus.ACCEPTED):
        council_recommendations.answer_recommendation(
            actor=officer, recommendation=recommendation, status=status, answer=MINISTRY_ANSWER
        )
    entries = _audit("council.recommendation_answered")
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("issued", "rejected"),
        ("rejected", "accepted"),
    ]
    assert all(e.actor_id == officer.id for e in entries)


# ---------- Documents ----------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SENTENCE_XML = f"<t>{KAZAKH_SENTENCE}</t>".encode()
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": SENTENCE_XML})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": SENTENCE_XML})
TXT = KAZAKH_SENTENCE.encode()


def _download(client: FlaskClient, document_id: int) -> TestResponse:
    """Fetch a document and close the response, so the served file is closed too."""
    response = client.get(f"/councils/documents/{document_id}")
    response.get_data()
    response.close()
    return response


def _upload(
    client: FlaskClient, meeting: CouncilMeeting, name: str, data: bytes, title: str = ""
) -> TestResponse:
    return client.post(
        f"/manage/meetings/{meeting.id}/documents",
        data={"document-title": title, "document-file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def meeting(council: PublicCouncil) -> CouncilMeeting:
    return make_meeting(council)


@pytest.fixture
def keeper_client(client: FlaskClient, council: PublicCouncil) -> FlaskClient:
    login(client, make_user(Role.COUNCIL_MEMBER, council=council))
    return client


def test_a_pdf_is_published_and_downloaded_as_an_attachment(
    keeper_client: FlaskClient, meeting: CouncilMeeting, document_dir: Path
) -> None:
    response = _upload(keeper_client, meeting, "minutes.pdf", PDF, title="Signed minutes")
    assert response.status_code == 302
    document = db.session.scalar(select(MeetingDocument))
    assert document is not None
    assert (document.title, document.file_name, document.size_bytes) == (
        "Signed minutes",
        "minutes.pdf",
        len(PDF),
    )
    assert (document_dir / document.sha256).read_bytes() == PDF
    [entry] = _audit("council.document_uploaded")
    assert entry.after["sha256"] == document.sha256
    download = _download(keeper_client, document.id)
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=minutes.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = keeper_client.get(f"/councils/{meeting.council_id}").get_data(as_text=True)
    assert f"/councils/documents/{document.id}" in page
    assert "Signed minutes" in page
    assert "(PDF, 1 KB)" in page


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("шешім.docx", DOCX, "application/vnd.openxmlformats-officedocument"),
        ("кесте.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml"),
        ("хаттама.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("мәтін.TXT", TXT, "text/plain; charset=utf-8"),
    ],
)
def test_office_files_and_utf8_text_are_accepted(
    keeper_client: FlaskClient, meeting: CouncilMeeting, name: str, data: bytes, content_type: str
) -> None:
    assert _upload(keeper_client, meeting, name, data).status_code == 302
    document = db.session.scalar(select(MeetingDocument))
    assert document is not None
    assert document.content_type.startswith(content_type)
    assert document.title == name.rsplit(".", 1)[0]
    download = _download(keeper_client, document.id)
    assert download.data == data
    assert download.headers["Content-Type"].startswith(content_type)


def test_non_ascii_names_are_kept_and_sent_in_a_safe_header(
    keeper_client: FlaskClient, meeting: CouncilMeeting
) -> None:
    name = "Хаттама №3 — қорытынды.pdf"
    assert _upload(keeper_client, meeting, name, PDF).status_code == 302
    document = db.session.scalar(select(MeetingDocument))
    assert document is not None
    assert document.file_name == name
    disposition = _download(keeper_client, document.id).headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert disposition.isascii()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/хаттама.pdf", "хаттама.pdf"),
        ("C:\\Users\\Айгүл\\Desktop\\есеп.pdf", "есеп.pdf"),
        ("шешім\u202efdp.exe.pdf", "шешімfdp.exe.pdf"),
        ("a\x00b\r\nc\t.pdf", "abc.pdf"),
        ('"quoted";name.pdf', "_quoted__name.pdf"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ("қ" * 300 + ".pdf", "қ" * 251 + ".pdf"),
    ],
)
def test_file_names_lose_paths_controls_and_reserved_characters(given: str, kept: str) -> None:
    assert clean_file_name(given) == kept


@pytest.mark.parametrize(
    "name", ["page.html", "setup.exe", "archive.zip", "no_extension", "image.svg", ".pdf"]
)
def test_other_file_types_are_refused_and_the_form_keeps_its_title(
    keeper_client: FlaskClient, meeting: CouncilMeeting, document_dir: Path, name: str
) -> None:
    response = _upload(keeper_client, meeting, name, PDF, title="Қаулы жобасы")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Upload a PDF, DOCX, ODT, XLSX or TXT file." in page
    assert 'value="Қаулы жобасы"' in page
    assert meeting.title in page  # the meeting's own form is still there, untouched
    assert db.session.scalar(select(MeetingDocument)) is None
    assert not document_dir.exists() or not any(document_dir.iterdir())


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("renamed.pdf", DOCX),
        ("renamed.pdf", b"<html><script>alert(1)</script></html>"),
        ("renamed.docx", PDF),
        ("renamed.docx", XLSX),
        ("renamed.docx", _zip({"payload.exe": b"MZ\x90\x00"})),
        ("renamed.docx", b"PK\x03\x04 but not really a zip"),
        ("renamed.xlsx", DOCX),
        ("renamed.odt", _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})),
        ("renamed.odt", DOCX),
        ("renamed.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("renamed.txt", "Кириллица в cp1251".encode("cp1251")),
    ],
)
def test_contents_must_match_the_extension(
    keeper_client: FlaskClient, meeting: CouncilMeeting, name: str, data: bytes
) -> None:
    response = _upload(keeper_client, meeting, name, data)
    assert response.status_code == 400
    assert "contents do not match its ." in response.get_data(as_text=True)
    assert db.session.scalar(select(MeetingDocument)) is None


def test_files_over_the_configured_limit_are_refused(
    app: Flask, keeper_client: FlaskClient, meeting: CouncilMeeting
) -> None:
    # Small enough that the test client keeps the request body in memory.
    app.config["COUNCIL_DOCUMENT_MAX_BYTES"] = 300 * 1024
    too_big = PDF + b"0" * (300 * 1024 - len(PDF) + 1)
    response = _upload(keeper_client, meeting, "big.pdf", too_big)
    assert response.status_code == 400
    assert "The file is too large: the limit is 300 KB." in response.get_data(as_text=True)
    assert db.session.scalar(select(MeetingDocument)) is None
    assert _upload(keeper_client, meeting, "big.pdf", too_big[:-1]).status_code == 302


def test_the_size_limit_defaults_to_ten_megabytes(app: Flask, meeting: CouncilMeeting) -> None:
    app.config.pop("COUNCIL_DOCUMENT_MAX_BYTES", None)
    assert council_documents.max_document_bytes() == 10 * 1024 * 1024
    too_big = io.BytesIO(PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as refused:
        council_documents.upload_document(
            actor=SYSTEM, meeting=meeting, file_name="big.pdf", stream=too_big
        )
    assert refused.value.errors == {"file": ["The file is too large: the limit is 10 MB."]}


def test_empty_and_missing_files_are_refused(
    keeper_client: FlaskClient, meeting: CouncilMeeting
) -> None:
    assert "The file is empty." in _upload(keeper_client, meeting, "a.pdf", b"").get_data(
        as_text=True
    )
    missing = keeper_client.post(
        f"/manage/meetings/{meeting.id}/documents", data={"document-title": "No file"}
    )
    assert missing.status_code == 400
    assert "Choose a file to upload." in missing.get_data(as_text=True)


def test_deleting_a_document_removes_its_bytes_once_no_other_uses_them(
    keeper_client: FlaskClient, meeting: CouncilMeeting, document_dir: Path
) -> None:
    for title in ("First copy", "Second copy"):
        assert _upload(keeper_client, meeting, "same.pdf", PDF, title=title).status_code == 302
    first, second = db.session.scalars(select(MeetingDocument).order_by(MeetingDocument.id))
    stored = document_dir / first.sha256
    first_id = first.id
    assert keeper_client.post(f"/manage/documents/{first_id}/delete").status_code == 302
    assert stored.is_file()
    assert _download(keeper_client, first_id).status_code == 404
    assert keeper_client.post(f"/manage/documents/{second.id}/delete").status_code == 302
    assert not stored.exists()
    assert len(_audit("council.document_deleted")) == 2


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_cannot_upload_or_delete_documents(
    client: FlaskClient, council: PublicCouncil, meeting: CouncilMeeting, role: str
) -> None:
    document = council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="хаттама.pdf", stream=io.BytesIO(PDF)
    )
    login(client, make_user_for_council(role, council))
    assert _upload(client, meeting, "other.pdf", PDF).status_code == 403
    assert client.post(f"/manage/documents/{document.id}/delete").status_code == 403
    assert db.session.scalar(select(db.func.count(MeetingDocument.id))) == 1


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_the_ministry_and_admins_also_publish_documents(
    client: FlaskClient, council: PublicCouncil, meeting: CouncilMeeting, role: str
) -> None:
    login(client, make_user_for_council(role, council))
    assert _upload(client, meeting, "хаттама.pdf", PDF).status_code == 302


def test_anonymous_visitors_download_but_cannot_upload(
    client: FlaskClient, meeting: CouncilMeeting
) -> None:
    document = council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="хаттама.pdf", stream=io.BytesIO(PDF)
    )
    assert _download(client, document.id).status_code == 200
    response = _upload(client, meeting, "other.pdf", PDF)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_document_whose_file_is_gone_is_not_found(
    client: FlaskClient, meeting: CouncilMeeting, document_dir: Path
) -> None:
    document = council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="хаттама.pdf", stream=io.BytesIO(PDF)
    )
    (document_dir / document.sha256).unlink()
    assert _download(client, document.id).status_code == 404
    assert _download(client, 999999).status_code == 404


def test_document_forms_need_a_csrf_token(
    app_with: Callable[..., Flask], meeting: CouncilMeeting
) -> None:
    client = app_with(WTF_CSRF_ENABLED=True).test_client()
    assert _upload(client, meeting, "хаттама.pdf", PDF).status_code == 400
    assert db.session.scalar(select(MeetingDocument)) is None


def test_a_meeting_has_its_own_public_page(client: FlaskClient, council: PublicCouncil) -> None:
    meeting = make_meeting(council, title="Қоғамдық кеңес отырысы", minutes=KAZAKH_SENTENCE)
    council_documents.upload_document(
        actor=SYSTEM, meeting=meeting, file_name="хаттама.pdf", stream=io.BytesIO(PDF)
    )
    make_recommendation(council, meeting=meeting)
    page = client.get(f"/councils/{council.id}/meetings/{meeting.id}").get_data(as_text=True)
    for text in ("Қоғамдық кеңес отырысы", KAZAKH_SENTENCE, "хаттама", RECOMMENDATION_TITLE):
        assert text in page
    other = make_council(make_ministry())
    assert client.get(f"/councils/{other.id}/meetings/{meeting.id}").status_code == 404


XSS_CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt"


def _payloads() -> list[str]:
    lines = XSS_CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and line[0] not in "#e"][:40]


def test_recommendations_answers_and_documents_are_never_served_as_markup(
    client: FlaskClient, council: PublicCouncil, meeting: CouncilMeeting
) -> None:
    for payload in _payloads():
        recommendation = make_recommendation(
            council, title=f"Title {payload}", text=f"{RECOMMENDATION_TEXT}\n{payload}"
        )
        council_recommendations.answer_recommendation(
            actor=SYSTEM,
            recommendation=recommendation,
            status=RecommendationStatus.ACCEPTED,
            answer=f"{MINISTRY_ANSWER}\n{payload}",
        )
        council_documents.upload_document(
            actor=SYSTEM,
            meeting=meeting,
            file_name=f"{payload} хаттама.pdf",
            stream=io.BytesIO(PDF),
            title=f"Document {payload}",
        )
    login(client, make_user(Role.ADMIN))
    pages = [
        f"/councils/{council.id}",
        f"/councils/{council.id}/meetings/{meeting.id}",
        f"/manage/councils/{council.id}",
        f"/manage/meetings/{meeting.id}/edit",
        f"/manage/recommendations/{recommendation.id}/answer",
    ]
    for url in pages:
        parser = _LiveMarkup()
        parser.feed(client.get(url).get_data(as_text=True))
        assert parser.found == [], url


class _LiveMarkup(HTMLParser):
    """Elements and attributes a browser would run: scripts (but ours), handlers, js: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if (
            tag in {"script", "iframe", "object", "embed", "svg", "style"}
            and values.get("src") != "/static/js/app.js"
        ):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or "javascript:" in (value or "").casefold():
                self.found.append(f"{tag} {name}")
