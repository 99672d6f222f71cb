"""A small HTTP client for tests against real server processes: cookies, CSRF, no redirects."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import IO, Any


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    """Hand a 3xx back to the caller: where it points is what the tests check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _CsrfTokenParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "input" and values.get("name") == "csrf_token" and self.token is None:
            self.token = values.get("value")


def csrf_token(page: str) -> str:
    """The CSRF token of the first form of a page, as a browser would send it back."""
    parser = _CsrfTokenParser()
    parser.feed(page)
    assert parser.token, "the page has no form with a CSRF token"
    return parser.token


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    text: str


class WebSession:
    """One visitor: a cookie jar, and requests to whichever server `base_url` names."""

    def __init__(self, jar: http.cookiejar.CookieJar | None = None) -> None:
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _KeepRedirects()
        )

    def request(self, url: str, form: dict[str, str] | None = None) -> Reply:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self._opener.open(url, data=data, timeout=60) as response:
                return _reply(response.status, response.headers.items(), response)
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            with error:
                return _reply(error.code, error.headers.items(), error)


def _reply(status: int, headers: list[tuple[str, str]], body: IO[bytes]) -> Reply:
    return Reply(status, {k.lower(): v for k, v in headers}, body.read().decode("utf-8"))
