"""The 429 response says when to retry, and rate limiting survives Redis going down."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from listening_state.extensions import limiter
from tests.factories import make_user

# A port nothing listens on: connections are refused at once, as when Redis is stopped.
REDIS_DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _storage_alive() -> Iterator[None]:
    """The limiter is one object shared by every app of the test session, and it remembers that
    its storage was found dead (in production it checks again later, backing off); start and
    leave each test with a storage believed alive."""
    limiter._storage_dead = False
    yield
    limiter._storage_dead = False


def _limited_client(app_with: Callable[..., Flask], **extra: object) -> Flask:
    return app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", **extra)


def _sign_in_attempts(app: Flask, count: int, **kwargs: object) -> list:  # type: ignore[type-arg]
    client = app.test_client()
    user = make_user()
    return [
        client.post("/login", data={"email": user.email, "password": "wrong"}, **kwargs)
        for _ in range(count)
    ]


def test_the_429_page_says_when_to_try_again(app_with: Callable[..., Flask]) -> None:
    *_, limited = _sign_in_attempts(_limited_client(app_with), 3)
    assert limited.status_code == 429
    seconds = int(limited.headers["Retry-After"])
    assert 1 <= seconds <= 60
    page = limited.get_data(as_text=True)
    assert "<h1>Too many requests</h1>" in page
    match = re.search(r"Please try again in (\d+) seconds?\.", page)
    assert match, page
    assert abs(int(match.group(1)) - seconds) <= 1


def test_a_json_client_gets_a_json_429_with_retry_after(app_with: Callable[..., Flask]) -> None:
    responses = _sign_in_attempts(
        _limited_client(app_with), 3, headers={"Accept": "application/json"}
    )
    limited = responses[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    error = limited.get_json()["error"]
    assert error["code"] == 429
    assert error["message"].startswith("You have made too many requests. Please try again in")


def test_long_waits_are_given_in_minutes(app_with: Callable[..., Flask]) -> None:
    app = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="1 per hour")
    limited = _sign_in_attempts(app, 2)[-1]
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 120
    assert re.search(r"Please try again in \d+ minutes\.", limited.get_data(as_text=True))


def test_limits_keep_working_in_memory_when_redis_is_down(
    app_with: Callable[..., Flask],
) -> None:
    app = _limited_client(app_with, REDIS_URL=REDIS_DOWN)
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_DOWN
    statuses = [response.status_code for response in _sign_in_attempts(app, 3)]
    # The site keeps serving (no 500) and still refuses the third attempt in the minute.
    assert statuses == [200, 200, 429]


@pytest.mark.postgres
def test_limits_are_counted_in_redis_when_it_is_up(app_with: Callable[..., Flask]) -> None:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is expected at 127.0.0.1:6379 for the PostgreSQL run")
    redis.Redis.from_url(url).flushdb()
    app = _limited_client(app_with, REDIS_URL=url)
    statuses = [response.status_code for response in _sign_in_attempts(app, 3)]
    assert statuses == [200, 200, 429]
    assert redis.Redis.from_url(url).keys("LIMITS:*")
