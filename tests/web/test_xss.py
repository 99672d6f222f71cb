"""Real XSS payloads sent through every text input: no page serves any of them as live markup.

Each payload gets its own consultation, account and council, so a failure names the payload
and the page. Pages are parsed with the stdlib HTMLParser, which decodes entities as browsers do.
"""

from __future__ import annotations

import codecs
import html
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from listening_state.extensions import db
from listening_state.models import Consultation, ModerationMode, Role, Submission
from listening_state.sanitize import clean_line, clean_plain_text, markup_removed
from listening_state.services import accounts
from tests.factories import (
    PASSWORD,
    login,
    make_consultation,
    make_council,
    make_ministry,
    make_user,
)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss_payloads.txt"
ESCAPED = "escaped:"


def load_payloads() -> list[str]:
    """The corpus, one payload a line; `escaped:` lines get their backslash escapes decoded."""
    payloads = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.startswith(ESCAPED):
            line = line.removeprefix(ESCAPED).encode("ascii").decode("unicode_escape")
        if line.strip() and not line.startswith("#"):
            payloads.append(line)
    return payloads


PAYLOADS = load_payloads()

FORBIDDEN_ELEMENTS = frozenset(
    {
        "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base",
        "template", "noscript", "style", "xmp", "noembed", "noframes", "plaintext", "listing",
        "bgsound", "portal",
    }
)  # fmt: skip
URL_ATTRIBUTES = frozenset(
    {
        "href", "src", "action", "formaction", "data", "xlink:href", "background", "poster",
        "codebase", "dynsrc", "lowsrc", "cite", "longdesc", "ping", "icon", "manifest",
    }
)  # fmt: skip
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
LINK_REL = frozenset({"nofollow", "ugc", "noopener"})
USER_CONTENT_CLASSES = frozenset({"comment-body", "draft-body", "summary"})
# Browsers drop tabs and newlines anywhere in a URL, and controls and spaces around it;
# dropping every control character and space is stricter still.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_OFFSITE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def element_problems(tag: str, attrs: dict[str, str], in_user_content: bool) -> Iterator[str]:
    """Why this start tag would be live markup, if it would be."""
    if tag in FORBIDDEN_ELEMENTS:
        yield f"<{tag}> element"
    source = attrs.get("src" if tag == "script" else "href", "")
    if tag in ("script", "link") and not source.startswith("/static/"):
        yield f"{tag} not loaded from /static/"
    if tag == "meta" and not (set(attrs) <= {"charset"} or attrs.get("name") == "viewport"):
        yield "meta element other than charset or viewport"
    for name, value in attrs.items():
        if name.startswith("on"):
            yield f"event handler attribute {name}"
        if name in ("srcdoc", "style"):  # the CSP forbids inline styles; the app writes none
            yield f"{name} attribute"
        scheme = _IGNORED_IN_URL.sub("", value).lower()
        if name in URL_ATTRIBUTES and scheme.startswith(DANGEROUS_SCHEMES):
            yield f"{name} with a script or data URL"
    href, rel = attrs.get("href"), set(attrs.get("rel", "").lower().split())
    user_link = href is not None and (in_user_content or _OFFSITE.match(href))
    if tag == "a" and user_link and not LINK_REL.issubset(rel):
        yield f"user link without rel {' '.join(sorted(LINK_REL))}"


class PageScanner(HTMLParser):
    """Collects live-markup problems, the visible text and the values of form fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.values: dict[str, list[str]] = defaultdict(list)
        self.user_links: list[str] = []  # hrefs of links inside user content
        self._open: list[tuple[str, bool, str | None]] = []  # tag, in user content, textarea

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        in_user = bool(self._open and self._open[-1][1])
        for problem in element_problems(tag, attrs, in_user):
            self.problems.append(
                f"line {self.getpos()[0]}: {problem}: {self.get_starttag_text()!r}"
            )
        if tag == "a" and in_user:
            self.user_links.append(attrs.get("href", ""))
        if tag == "input" and "name" in attrs:
            self.values[attrs["name"]].append(attrs.get("value", ""))
        if tag not in VOID_ELEMENTS:
            user = in_user or bool(set(attrs.get("class", "").split()) & USER_CONTENT_CLASSES)
            self._open.append((tag, user, attrs.get("name") if tag == "textarea" else None))

    def handle_startendtag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attr_list)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        while any(open_tag == tag for open_tag, _, _ in self._open):
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        tag, _, textarea = self._open[-1] if self._open else ("", False, None)
        if tag == "script" and data.strip():
            self.problems.append(f"line {self.getpos()[0]}: inline script {data[:80]!r}")
        if textarea:
            self.values[textarea].append(data.removeprefix("\r\n"))
        self.text.append(data)


def scan(page: str) -> PageScanner:
    scanner = PageScanner()
    scanner.feed(page)
    scanner.close()
    return scanner


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Audit:
    """Every page checked, with each problem named by payload and page."""

    failures: list[str] = field(default_factory=list)
    pages: int = 0
    user_links: list[str] = field(default_factory=list)

    def check(
        self,
        response: TestResponse,
        where: str,
        payload: int | None = None,
        shows: tuple[str, ...] = (),
        echoes: dict[str, str] | None = None,
    ) -> PageScanner:
        """Scan one page; `shows` must be in its visible text, `echoes` in its form fields."""
        self.pages += 1
        if payload is not None and "\x00" in PAYLOADS[payload]:
            # Requests carrying NUL are refused outright (security.refuse_nul_bytes): the error
            # page must still be clean, but it shows and echoes nothing of the request.
            if response.status_code != 400:
                self.failures.append(f"payload {payload}: NUL accepted on {where}")
            shows, echoes = (), None
        label = "all payloads" if payload is None else f"payload {payload} {PAYLOADS[payload]!r}"
        label = f"{label} on {where} ({response.status_code})"
        if response.mimetype != "text/html" or response.mimetype_params.get("charset") != "utf-8":
            self.failures.append(f"{label}: served as {response.content_type}")
        scanner = scan(response.get_data(as_text=True))
        self.user_links += scanner.user_links
        self.failures += [f"{label}: {problem}" for problem in scanner.problems]
        visible = squash("".join(scanner.text))
        for text in filter(None, shows):
            if squash(text) not in visible:
                self.failures.append(f"{label}: text {text!r} is not shown to the reader")
        for name, value in (echoes or {}).items():
            if value not in scanner.values.get(name, []):
                self.failures.append(f"{label}: field {name} does not echo {value!r}")
        return scanner

    def submit(
        self, client: FlaskClient, url: str, payload: int, form: dict[str, Any], fallback: str
    ) -> tuple[TestResponse, str]:
        """POST the payload in the form's field left as None; if refused, check the form shown
        again and send `fallback` instead. Returns the response and the text that was kept."""
        (field_name,) = (name for name, value in form.items() if value is None)
        text = PAYLOADS[payload]
        response = client.post(url, data={**form, field_name: text})
        if response.status_code != 302:
            self.check(response, f"refused POST {url}", payload, echoes={field_name: text})
            text = fallback
            response = client.post(url, data={**form, field_name: text})
            assert response.status_code == 302, (url, text, response.get_data(as_text=True))
        return response, text

    def assert_clean(self) -> None:
        shown = "\n".join(self.failures[:40])
        assert not self.failures, f"{len(self.failures)} problems in {self.pages} pages:\n{shown}"


def _no_fsync(connection: Any, _record: object) -> None:
    connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture
def audit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Audit:
    """Every list on one page; failed sign-ins and SQLite commits made cheap for many requests."""
    app.config["PAGE_SIZE"] = app.config["QUEUE_PAGE_SIZE"] = 500
    method = app.config["PASSWORD_HASH_METHOD"]
    dummy = generate_password_hash("not-a-real-password", method=method)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", dummy, raising=False)
    if db.engine.dialect.name == "sqlite":  # durability is not under test; fsync was the runtime
        event.listen(db.engine, "connect", _no_fsync)
    return Audit()


def _markup_free(text: str) -> str:
    """The text cleaned until nothing in it reads as markup (`<<b>b>` leaves `<b>` once)."""
    while markup_removed(text) is not None:
        text = clean_plain_text(text)
    return text


def _id_from(response: TestResponse, pattern: str) -> str:
    match = re.search(pattern, response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _careless_pages(payload: str) -> Iterator[str]:
    """The payload where a careless page might put it, after one decoding too many."""
    # Old IE quoted attributes with backticks; some filters drop NUL characters.
    variants = {payload, html.unescape(payload), unquote(payload), payload.replace("`", '"')}
    variants.add(payload.replace("\x00", ""))
    for codec in ("utf-7", "unicode_escape"):
        try:
            variants.add(codecs.decode(payload.encode(), codec))
        except UnicodeError:
            continue
    for v in variants:
        yield from (f"<p>{v}</p>", f'<a href="{v}">x</a>', markdown.markdown(v))
        yield from (f'<input value="{v}">', f"<input value='{v}'>", f"<input value={v}>")


def test_corpus_holds_at_least_sixty_distinct_payloads() -> None:
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:03d}" for i in range(len(PAYLOADS))])
def test_scanner_flags_each_payload_served_carelessly(payload: str) -> None:
    """The scanner is worth trusting: every payload is live markup somewhere careless."""
    assert any(scan(page).problems for page in _careless_pages(payload)), payload


def refused_for_nul(client: FlaskClient, audit: Audit, i: int, url: str, field_name: str) -> bool:
    """A payload with NUL is refused with 400 before any form sees it, so nothing is stored."""
    if "\x00" not in PAYLOADS[i]:
        return False
    audit.check(client.post(url, data={field_name: PAYLOADS[i]}), f"POST {url} with NUL", i)
    return True


def test_consultations_comments_and_names_are_never_served_as_markup(
    app: Flask, client: FlaskClient, audit: Audit
) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    today = datetime.now(UTC).date()
    opens_on, closes_on = str(today - timedelta(days=2)), str(today + timedelta(days=30))
    for i, payload in enumerate(PAYLOADS):
        if refused_for_nul(client, audit, i, "/manage/consultations/new", "title"):
            continue
        # A ministry officer writes the title, summary and Markdown draft.
        token = f"xsscorpus{i:03d}"  # found by this consultation's search only
        heading = payload if "\n" not in payload else f"Heading {i}"
        summary = f"{payload}\n\n{token}"
        draft = f"## {heading}\n\n{payload}\n\n## Section {token}\n\nText before {payload} after.\n"
        form = {"ministry": ministry.id, "title": None, "summary": summary, "draft": draft}
        form |= {"language": "en", "opens_on": opens_on, "closes_on": closes_on}
        form |= {"moderation_mode": "post"}  # comments public at once, to be checked as served
        fallback = f"Consultation {i} {payload}"
        response, title = audit.submit(client, "/manage/consultations/new", i, form, fallback)
        consultation_id = int(_id_from(response, r"/manage/consultations/(\d+)/edit"))
        assert client.post(f"/manage/consultations/{consultation_id}/publish").status_code == 302
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation is not None
        section_id = consultation.sections[0].id

        # A citizen registers with the payload as a name, then comments with it.
        citizen = app.test_client()
        form = {"display_name": None, "email": f"xss{i}@example.kz", "language": "en"}
        form |= {"password": PASSWORD, "confirm": PASSWORD}
        _, name = audit.submit(citizen, "/register", i, form, f"Reader {i} {payload}"[:120])
        references, bodies = [], []
        for section in ("", str(section_id)):
            form = {"section_id": section, "stance": "oppose", "body": None}
            url = f"/consultations/{consultation_id}/comment"
            # A comment holding markup is refused (nothing stripped without a word): the
            # fallback sends what would have been kept.
            fallback = f"Corpus payload {i}: {_markup_free(payload)}"
            response, body = audit.submit(citizen, url, i, form, fallback)
            references.append(_id_from(response, r"/submissions/([^/]+)/confirmation"))
            bodies.append(clean_plain_text(body))

        detail = f"/consultations/{consultation_id}"
        texts = [clean_line(title), clean_plain_text(summary), clean_line(heading)]
        texts += [clean_line(name), *bodies]
        audit.check(citizen.get(detail), detail, i, shows=tuple(texts))
        in_section = citizen.get(f"{detail}?section={section_id}")
        audit.check(in_section, "section filter", i, shows=(clean_line(name), bodies[1]))
        audit.check(citizen.get(f"{detail}/comment?section={section_id}"), "comment form", i)
        confirmation = citizen.get(f"/submissions/{references[0]}/confirmation")
        audit.check(confirmation, "confirmation", i, shows=(bodies[0],))
        submission = citizen.get(f"/submissions/{references[1]}")
        audit.check(submission, "submission", i, shows=(bodies[1],))
        mine = citizen.get("/my/submissions")
        audit.check(mine, "/my/submissions", i, shows=(clean_line(title),))
        audit.check(client.get(f"/manage/consultations/{consultation_id}/edit"), "edit", i)
        search = client.get(f"/consultations?q={token}")
        audit.check(search, "search", i, shows=(clean_line(title),))
    lists = ["/", "/consultations", "/consultations?sort=title", "/manage/consultations"]
    for url in [*lists, f"/councils/{council.id}", f"/manage/councils/{council.id}"]:
        audit.check(client.get(url), url)
    assert audit.user_links, "no comment or draft produced a link, so rel was never checked"
    audit.assert_clean()


def test_council_members_and_meetings_are_never_served_as_markup(
    client: FlaskClient, audit: Audit
) -> None:
    login(client, make_user(Role.ADMIN))  # membership is kept by administrators
    for i, payload in enumerate(PAYLOADS):
        if refused_for_nul(client, audit, i, "/manage/consultations/new", "title"):
            continue
        council = make_council(make_ministry())  # one council per payload, so a failure names it
        manage = f"/manage/councils/{council.id}"
        texts = [clean_plain_text(payload)]
        for ended_on in ("", "2024-12-31"):
            form = {"full_name": None, "position": "member", "affiliation": payload}
            form["ended_on"] = ended_on
            _, name = audit.submit(client, f"{manage}/members", i, form, f"Member {i} {payload}")
            texts.append(clean_line(name))
        minutes = f"Minutes {i}\n{payload}"
        form = {"title": None, "held_on": "2024-05-01", "status": "held"}
        form |= {"agenda": payload, "minutes": minutes}
        _, title = audit.submit(client, f"{manage}/meetings", i, form, f"Meeting {i} {payload}")
        texts += [clean_line(title), clean_plain_text(minutes)]
        page = client.get(manage)
        audit.check(page, manage, i)
        meeting_edit = re.search(r"/manage/meetings/\d+/edit", page.get_data(as_text=True))
        assert meeting_edit
        audit.check(client.get(meeting_edit.group()), meeting_edit.group(), i)
        public = f"/councils/{council.id}"
        audit.check(client.get(public), public, i, shows=tuple(texts))
    audit.assert_clean()


def test_reflected_query_arguments_are_never_served_as_markup(
    app: Flask, client: FlaskClient, audit: Audit
) -> None:
    app.config["PAGE_SIZE"] = 1  # pagination links repeat every query argument
    ministry = make_ministry()
    consultation = make_consultation(ministry)
    make_consultation(ministry, title="Another draft law")
    login(client, make_user())
    comment_url = f"/consultations/{consultation.id}/comment"
    for body in ("A first comment on the draft.", "A second comment on the draft."):
        client.post(comment_url, data={"stance": "support", "body": body})
    for i, payload in enumerate(PAYLOADS):
        search = client.get("/consultations", query_string={"q": payload})
        audit.check(search, "/consultations?q=", i, echoes={"q": payload})
        for url in ("/consultations", f"/consultations/{consultation.id}"):
            page = client.get(url, query_string={"note": payload})
            shown = "".join(audit.check(page, f"{url}?note=", i).text)
            assert "\x00" in payload or "Page 1 of 2" in shown, url
        lookup = client.get("/my/submissions", query_string={"reference": payload})
        audit.check(
            lookup, "/my/submissions?reference=", i, echoes={"reference": payload.strip().upper()}
        )
    audit.assert_clean()


def test_refused_forms_echo_payloads_without_serving_them_as_markup(
    app: Flask, client: FlaskClient, audit: Audit
) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(Role.ADMIN))  # the member form is for administrators
    visitor = app.test_client()
    for i, payload in enumerate(PAYLOADS):
        # An impossible date (or e-mail, or password) makes each form come back with every value.
        every = {"next": payload}
        login_form = {"email": payload, "password": "wrong password"}
        sign_in = visitor.post("/login", query_string=every, data=login_form)
        audit.check(sign_in, "POST /login", i, echoes={"email": payload})
        account = {"display_name": payload, "email": payload, "password": PASSWORD}
        register = visitor.post("/register", query_string=every, data=account)
        audit.check(
            register, "POST /register", i, echoes={"display_name": payload, "email": payload}
        )
        fields = ("title", "summary", "draft", "opens_on", "closes_on")
        form: dict[str, Any] = dict.fromkeys(fields, payload) | {"ministry": ministry.id}
        page = client.post("/manage/consultations/new", data=form)
        audit.check(
            page, "POST /manage/consultations/new", i, echoes=dict.fromkeys(fields, payload)
        )
        fields = ("full_name", "affiliation", "started_on", "ended_on")
        form = dict.fromkeys(fields, payload) | {"position": "member"}
        page = client.post(f"/manage/councils/{council.id}/members", data=form)
        audit.check(page, "POST members", i, echoes=dict.fromkeys(fields, payload))
        fields = ("title", "held_on", "agenda", "minutes")
        form = dict.fromkeys(fields, payload) | {"status": "held"}
        page = client.post(f"/manage/councils/{council.id}/meetings", data=form)
        audit.check(page, "POST meetings", i, echoes=dict.fromkeys(fields, payload))
    audit.assert_clean()


def test_plain_text_links_use_only_allowed_protocols(client: FlaskClient, audit: Audit) -> None:
    consultation = make_consultation()
    login(client, make_user())
    body = "See data:evil.com/x, ftp://evil.com/x, urn:evil.com and https://example.com/ok."
    client.post(f"/consultations/{consultation.id}/comment", data={"stance": "mixed", "body": body})
    audit.check(client.get(f"/consultations/{consultation.id}"), "comment with links")
    audit.assert_clean()
    assert "https://example.com/ok" in audit.user_links
    assert {urlsplit(href).scheme for href in audit.user_links} <= {"http", "https", "mailto"}


def test_moderation_queue_reports_notes_and_audit_never_serve_markup(
    app: Flask, client: FlaskClient, audit: Audit
) -> None:
    """Payloads as comments, readers' report notes and moderators' notes, on every page that
    shows them: the queue, the author's page, the correction form and the audit log."""
    ministry = make_ministry()
    council = make_council(ministry)
    consultation = make_consultation(ministry, moderation_mode=ModerationMode.POST)
    member = make_user(Role.COUNCIL_MEMBER, council=council)
    admin, author, reader = make_user(Role.ADMIN), make_user(), make_user()
    as_author, as_reader = app.test_client(), app.test_client()
    login(as_author, author)
    login(as_reader, reader)
    login(client, member)
    for i, payload in enumerate(PAYLOADS):
        url = f"/consultations/{consultation.id}/comment"
        if refused_for_nul(as_author, audit, i, url, "body"):
            continue
        form = {"section_id": "", "stance": "oppose", "body": None}
        fallback = f"Moderated payload {i}: {_markup_free(payload)}"
        response, body = audit.submit(as_author, url, i, form, fallback)
        reference = _id_from(response, r"/submissions/([^/]+)/confirmation")
        as_reader.post(
            f"/submissions/{reference}/flag", data={"reason": "abusive", "note": payload}
        )
        queue = client.get(f"/moderation?state=all&consultation={consultation.id}")
        audit.check(queue, "moderation queue", i, shows=(clean_plain_text(body),))
        submission = db.session.scalar(select(Submission).where(Submission.reference == reference))
        assert submission is not None
        decided = client.post(
            "/moderation",
            data={
                "reject_one": submission.id,
                f"reason_{submission.id}": "abusive",
                f"note_{submission.id}": payload,
            },
        )
        assert decided.status_code == 302, decided.status_code
        page = as_author.get(f"/submissions/{reference}")
        audit.check(page, "author's page", i, shows=(clean_plain_text(body),))
        audit.check(as_author.get(f"/submissions/{reference}/edit"), "correction form", i)
    admin_client = app.test_client()
    login(admin_client, admin)
    audit.check(admin_client.get("/admin/audit"), "audit log")
    audit.check(client.get("/moderation?state=all"), "whole queue")
    audit.check(client.get("/moderation-rules"), "rules")
    audit.assert_clean()
