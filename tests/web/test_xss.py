"""Real XSS payloads sent through every text input: no page serves any of them as live markup."""

from __future__ import annotations

import codecs
import html
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import markdown
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from listening_state.authz import SYSTEM
from listening_state.extensions import db
from listening_state.models import Consultation, Role
from listening_state.sanitize import clean_line, clean_plain_text
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
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(ESCAPED):
            line = line.removeprefix(ESCAPED).encode("ascii").decode("unicode_escape")
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()

# The page scanner. HTMLParser decodes entities in attribute values and text, as a browser does.
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
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
LINK_REL = frozenset({"nofollow", "ugc", "noopener"})
USER_CONTENT_CLASSES = frozenset({"comment-body", "draft-body", "summary"})
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
)
# Browsers drop tabs and newlines anywhere in a URL and controls or spaces around it; dropping
# every control character and space is stricter still.
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
_OFFSITE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def dangerous_url(value: str) -> bool:
    """A URL that runs script or carries a document (the parser has decoded its entities)."""
    return _IGNORED_IN_URL.sub("", value).lower().startswith(DANGEROUS_SCHEMES)


def element_problems(tag: str, attrs: dict[str, str], in_user_content: bool) -> Iterator[str]:
    if tag in FORBIDDEN_ELEMENTS:
        yield f"<{tag}> element"
    if tag == "script" and not attrs.get("src", "").startswith("/static/"):
        yield "script not loaded from /static/"
    if tag == "meta" and not (
        set(attrs) <= {"charset"}
        or (attrs.get("name") == "viewport" and set(attrs) <= {"name", "content"})
    ):
        yield "meta element other than charset or viewport"
    if tag == "link" and not (
        attrs.get("rel") == "stylesheet" and attrs.get("href", "").startswith("/static/")
    ):
        yield "link element other than the app's stylesheet"
    for name, value in attrs.items():
        if name.startswith("on"):
            yield f"event handler attribute {name}"
        if name in ("srcdoc", "style"):  # the CSP forbids inline styles; the app writes none
            yield f"{name} attribute"
        if name in URL_ATTRIBUTES and dangerous_url(value):
            yield f"{name} with a script or data URL"
    href = attrs.get("href")
    rel = set(attrs.get("rel", "").lower().split())
    if (
        tag == "a"
        and href is not None
        and (in_user_content or _OFFSITE.match(href))
        and not LINK_REL.issubset(rel)
    ):
        yield f"link in user content without rel {' '.join(sorted(LINK_REL))}"


class PageScanner(HTMLParser):
    """Collects live-markup problems, the visible text and the values of form fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.values: dict[str, list[str]] = defaultdict(list)
        self.user_links = 0
        self._open: list[tuple[str, bool, str | None]] = []  # tag, in user content, field name

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        in_user = bool(self._open and self._open[-1][1])
        for problem in element_problems(tag, attrs, in_user):
            line = self.getpos()[0]
            self.problems.append(f"line {line}: {problem}: {self.get_starttag_text()!r}")
        self.user_links += tag == "a" and in_user
        if tag == "input" and "name" in attrs:
            self.values[attrs["name"]].append(attrs.get("value", ""))
        if tag not in VOID_ELEMENTS:
            classes = set(attrs.get("class", "").split())
            name = attrs.get("name") if tag == "textarea" else None
            self._open.append((tag, in_user or bool(classes & USER_CONTENT_CLASSES), name))

    def handle_startendtag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attr_list)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        while any(open_tag == tag for open_tag, _, _ in self._open):
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        current = self._open[-1] if self._open else ("", False, None)
        if current[0] == "script" and data.strip():
            self.problems.append(f"line {self.getpos()[0]}: inline script {data[:80]!r}")
        if current[2]:
            self.values[current[2]].append(data.removeprefix("\r\n"))
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
    """Every page checked, and each problem named by payload and page."""

    failures: list[str] = field(default_factory=list)
    pages: int = 0
    user_links: int = 0

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
        label = (
            f"payload {payload} {PAYLOADS[payload]!r}" if payload is not None else "all payloads"
        )
        label = f"{label} on {where} ({response.status_code})"
        if response.mimetype != "text/html" or response.mimetype_params.get("charset") != "utf-8":
            self.failures.append(f"{label}: served as {response.content_type}")
        scanner = scan(response.get_data(as_text=True))
        self.user_links += scanner.user_links
        self.failures += [f"{label}: {problem}" for problem in scanner.problems]
        visible = squash("".join(scanner.text))
        for text in shows:
            if squash(text) not in visible:
                self.failures.append(f"{label}: text {text!r} is not shown to the reader")
        for name, value in (echoes or {}).items():
            if value not in scanner.values.get(name, []):
                self.failures.append(f"{label}: field {name} does not echo {value!r}")
        return scanner

    def submit(
        self,
        client: FlaskClient,
        url: str,
        payload: int,
        form: dict[str, object],
        *,
        field: str,
        fallback: str,
    ) -> tuple[TestResponse, str]:
        """POST the payload in `field`; if refused, check the form shown again, then `fallback`."""
        text = PAYLOADS[payload]
        response = client.post(url, data={**form, field: text})
        if response.status_code == 302:
            return response, text
        self.check(response, f"refused POST {url}", payload, echoes={field: text})
        response = client.post(url, data={**form, field: fallback})
        assert response.status_code == 302, (url, fallback, response.get_data(as_text=True))
        return response, fallback

    def assert_clean(self) -> None:
        shown = "\n".join(self.failures[:40])
        assert not self.failures, f"{len(self.failures)} problems in {self.pages} pages:\n{shown}"


@pytest.fixture
def audit(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Audit:
    """Every list on one page; failed sign-ins and SQLite commits made cheap for many requests."""
    app.config["PAGE_SIZE"] = 500
    cheap_hash = generate_password_hash(
        "not-a-real-password", method=app.config["PASSWORD_HASH_METHOD"]
    )
    monkeypatch.setattr(accounts, "_DUMMY_HASH", cheap_hash, raising=False)
    if db.engine.dialect.name == "sqlite":  # durability is not under test; fsync was the runtime
        event.listen(db.engine, "connect", _no_fsync)
    return Audit()


def _no_fsync(connection: Any, _record: object) -> None:
    connection.execute("PRAGMA synchronous = OFF")


def _id_from(response: TestResponse, pattern: str) -> str:
    match = re.search(pattern, response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


# The scanner must be worth trusting: each payload is live markup somewhere a careless page
# could put it, be that raw, inside an attribute, as Markdown, or after one decoding too many.
def _careless_pages(payload: str) -> Iterator[str]:
    # Old IE quoted attributes with backticks; some filters drop NUL characters.
    variants = {payload, html.unescape(payload), unquote(payload), payload.replace("`", '"')}
    variants.add(payload.replace("\x00", ""))
    for decode in (
        lambda p: p.encode().decode("utf-7"),
        partial(codecs.decode, encoding="unicode_escape"),
    ):
        try:
            variants.add(decode(payload))
        except UnicodeError:
            continue
    for v in variants:
        yield from (
            f"<p>{v}</p>",
            f'<a href="{v}">x</a>',
            f'<input value="{v}">',
            f"<input value='{v}'>",
        )
        yield f"<input value={v}>"
        yield markdown.markdown(v)


def test_corpus_holds_at_least_sixty_distinct_payloads() -> None:
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"p{i:03d}" for i in range(len(PAYLOADS))])
def test_scanner_flags_each_payload_served_carelessly(payload: str) -> None:
    assert any(scan(page).problems for page in _careless_pages(payload)), payload


def test_citizen_names_and_comments_are_never_served_as_markup(app: Flask, audit: Audit) -> None:
    ministry = make_ministry()
    for i, payload in enumerate(PAYLOADS):
        consultation = make_consultation(ministry)
        section = consultation.sections[0]
        citizen = app.test_client()
        account = {
            "email": f"xss{i}@example.kz",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "language": "en",
        }
        _, name = audit.submit(
            citizen,
            "/register",
            i,
            account,
            field="display_name",
            fallback=f"Reader {i} {payload}"[:120],
        )
        comment_url = f"/consultations/{consultation.id}/comment"
        for section_id in ("", str(section.id)):
            response, body = audit.submit(
                citizen,
                comment_url,
                i,
                {"section_id": section_id, "stance": "oppose"},
                field="body",
                fallback=f"Corpus payload {i}: {payload}",
            )
            reference = _id_from(response, r"/submissions/([^/]+)/confirmation")
            for url in (f"/submissions/{reference}/confirmation", f"/submissions/{reference}"):
                audit.check(citizen.get(url), url, i, shows=(clean_plain_text(body),))
        audit.check(citizen.get("/my/submissions"), "/my/submissions", i)
        detail = f"/consultations/{consultation.id}"
        for url in (detail, f"{detail}?section={section.id}"):
            audit.check(citizen.get(url), url, i, shows=(clean_line(name), clean_plain_text(body)))
    assert audit.user_links, "no comment produced a link, so rel was never checked"
    audit.assert_clean()


def _dates() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "opens_on": str(today - timedelta(days=2)),
        "closes_on": str(today + timedelta(days=30)),
    }


def test_consultation_titles_summaries_and_drafts_are_never_served_as_markup(
    client: FlaskClient, audit: Audit
) -> None:
    ministry = make_ministry()
    council = make_council(ministry)
    login(client, make_user(Role.MINISTRY_OFFICER, ministry=ministry))
    for i, payload in enumerate(PAYLOADS):
        token = f"xsscorpus{i:03d}"  # found only by this consultation's search
        heading = payload if "\n" not in payload else f"Heading {i}"
        summary = f"{payload}\n\n{token}"
        draft = (
            f"## {heading}\n\n{payload}\n\n## Section {token}\n\nText before {payload} and after.\n"
        )
        form = {
            "ministry": ministry.id,
            "summary": summary,
            "language": "en",
            "draft": draft,
            **_dates(),
        }
        response, title = audit.submit(
            client,
            "/manage/consultations/new",
            i,
            form,
            field="title",
            fallback=f"Consultation {i} {payload}",
        )
        consultation_id = int(_id_from(response, r"/manage/consultations/(\d+)/edit"))
        assert client.post(f"/manage/consultations/{consultation_id}/publish").status_code == 302
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation is not None
        detail = f"/consultations/{consultation_id}"
        shown = (clean_line(title), clean_plain_text(summary), clean_line(heading))
        audit.check(client.get(detail), detail, i, shows=shown)
        for section in consultation.sections:
            for url in (f"{detail}?section={section.id}", f"{detail}/comment?section={section.id}"):
                audit.check(client.get(url), url, i)
        for url in (f"/manage/consultations/{consultation_id}/edit", f"/consultations?q={token}"):
            audit.check(client.get(url), url, i)
    for url in (
        "/",
        "/consultations",
        "/consultations?sort=title",
        "/manage/consultations",
        f"/councils/{council.id}",
        f"/manage/councils/{council.id}",
    ):
        audit.check(client.get(url), url)
    audit.assert_clean()


def test_council_members_and_meetings_are_never_served_as_markup(
    client: FlaskClient, audit: Audit
) -> None:
    officer = make_user(Role.MINISTRY_OFFICER, ministry=make_ministry())
    login(client, officer)
    for i, payload in enumerate(PAYLOADS):
        ministry = make_ministry()
        council = make_council(ministry)  # one council per payload, so a failure names it
        accounts.grant_role(
            actor=SYSTEM, user=officer, role=Role.MINISTRY_OFFICER, ministry=ministry
        )
        council_url = f"/manage/councils/{council.id}"
        shown: list[str] = []
        for ended_on in ("", "2024-12-31"):
            member = {
                "position": "member",
                "affiliation": payload,
                "started_on": "2023-01-01",
                "ended_on": ended_on,
            }
            _, name = audit.submit(
                client,
                f"{council_url}/members",
                i,
                member,
                field="full_name",
                fallback=f"Member {i} {payload}",
            )
            shown.append(clean_line(name))
        minutes = f"Minutes {i}\n{payload}"
        meeting = {"held_on": "2024-05-01", "status": "held", "agenda": payload, "minutes": minutes}
        _, title = audit.submit(
            client,
            f"{council_url}/meetings",
            i,
            meeting,
            field="title",
            fallback=f"Meeting {i} {payload}",
        )
        shown += [clean_line(title), clean_plain_text(payload), clean_plain_text(minutes)]
        manage = client.get(council_url)
        audit.check(manage, council_url, i)
        meeting_edit = re.search(r"/manage/meetings/\d+/edit", manage.get_data(as_text=True))
        assert meeting_edit
        audit.check(client.get(meeting_edit.group()), meeting_edit.group(), i)
        audit.check(
            client.get(f"/councils/{council.id}"),
            f"/councils/{council.id}",
            i,
            shows=tuple(text for text in shown if text),
        )
    audit.assert_clean()


def test_reflected_queries_and_form_values_are_never_served_as_markup(
    app: Flask, client: FlaskClient, audit: Audit
) -> None:
    app.config["PAGE_SIZE"] = 1  # pagination links repeat every query argument
    ministry = make_ministry()
    consultation = make_consultation(ministry)
    make_consultation(ministry, title="Another draft law")
    citizen, visitor = make_user(), app.test_client()
    login(client, citizen)
    for body in ("A first comment on the draft.", "A second comment on the draft."):
        client.post(
            f"/consultations/{consultation.id}/comment", data={"stance": "support", "body": body}
        )
    for i, payload in enumerate(PAYLOADS):
        echo = {"q": payload}
        audit.check(
            client.get("/consultations", query_string={"q": payload}),
            "/consultations?q=",
            i,
            echoes=echo,
        )
        for url in ("/consultations", f"/consultations/{consultation.id}", "/my/submissions"):
            response = client.get(url, query_string={"note": payload})
            scanner = audit.check(response, f"{url}?note=", i)
            assert "Page 1 of 2" in "".join(scanner.text), url
        lookup = client.get("/my/submissions", query_string={"reference": payload})
        audit.check(
            lookup, "/my/submissions?reference=", i, echoes={"reference": payload.strip().upper()}
        )
        sign_in = visitor.post("/login", data={"email": payload, "password": "wrong password"})
        audit.check(sign_in, "POST /login", i, echoes={"email": payload})
        register = visitor.post(
            "/register",
            data={
                "display_name": payload,
                "email": payload,
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        )
        audit.check(
            register, "POST /register", i, echoes={"display_name": payload, "email": payload}
        )
    audit.assert_clean()


def test_plain_text_links_use_only_allowed_protocols(client: FlaskClient, audit: Audit) -> None:
    consultation = make_consultation()
    login(client, make_user())
    body = "See data:evil.com/html,payload for details."
    client.post(f"/consultations/{consultation.id}/comment", data={"stance": "mixed", "body": body})
    audit.check(
        client.get(f"/consultations/{consultation.id}"), f"/consultations/{consultation.id}"
    )
    audit.assert_clean()
