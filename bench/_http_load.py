"""The load bench's HTTP client: one keep-alive connection per simulated visitor (stdlib only).

gunicorn's sync workers close the connection after each response, so the client reconnects
whenever the server said `Connection: close` or dropped the connection, as a browser would.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
# As long as a reverse proxy waits by default (nginx proxy_read_timeout): under overload a
# request may queue for many seconds before a worker takes it, and still be served.
TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Result:
    started: float  # time.monotonic() when the request was sent
    seconds: float
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)
    location: str = ""
    retry_after: str = ""
    error: str = ""


@dataclass
class Visitor:
    """One browser: a connection to the server and its cookies."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    _connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=TIMEOUT_SECONDS
            )
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[http.client.HTTPResponse, str]:
        """Send on the open connection; if the server had closed it while idle (keep-alive
        timeout), send once more on a new one, as browsers do."""
        reused = self._connection is not None
        try:
            return self._exchange(method, path, body, headers)
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            if not reused:
                raise
            self.close()
            return self._exchange(method, path, body, headers)

    def _exchange(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[http.client.HTTPResponse, str]:
        connection = self._connect()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read().decode("utf-8", "replace")

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[Result, str]:
        """Send one request; never raises for network trouble (that is a result too)."""
        headers = {"User-Agent": "listening-state-load-bench", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            response, text = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self.close()
            seconds = time.monotonic() - started
            return Result(started, seconds, 0, error=type(error).__name__), ""
        seconds = time.monotonic() - started
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.close()
        result = Result(
            started,
            seconds,
            response.status,
            location=response.headers.get("Location", ""),
            retry_after=response.headers.get("Retry-After", ""),
        )
        return result, text


def csrf_token(page: str) -> str:
    found = CSRF_INPUT.search(page)
    if found is None:
        raise RuntimeError("no CSRF token in the page")
    return found.group(1)


def wait_for_port(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False
