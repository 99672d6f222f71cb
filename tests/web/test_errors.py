"""Errors are friendly pages in the visitor's language."""

from collections.abc import Callable

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from tests.factories import login, make_user


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (400, "Bad request"),
        (403, "Not allowed"),
        (404, "Page not found"),
        (429, "Too many requests"),
        (500, "Something went wrong"),
    ],
)
def test_error_pages_are_friendly(app: Flask, code: int, title: str) -> None:
    app.add_url_rule(f"/boom/{code}", f"boom{code}", lambda: abort(code))
    response = app.test_client().get(f"/boom/{code}")
    assert response.status_code == code
    page = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    assert 'href="/"' in page


def test_unexpected_exception_is_a_friendly_500(app_with: Callable[..., Flask]) -> None:
    app = app_with(TESTING=False)

    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert "Nothing you saved was lost" in response.get_data(as_text=True)


def test_error_page_speaks_the_visitors_language(client: FlaskClient) -> None:
    english = client.get("/no-such-page", headers={"Accept-Language": "en"}).get_data(as_text=True)
    russian = client.get("/no-such-page", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(
        as_text=True
    )
    kazakh = client.get("/no-such-page", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert '<html lang="ru">' in russian
    assert '<html lang="kk">' in kazakh
    assert len({english, russian, kazakh}) == 3


def test_forbidden_page_for_a_citizen(client: FlaskClient) -> None:
    login(client, make_user())
    response = client.get("/manage/consultations")
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_nul_bytes_in_input_are_refused_with_400(client: FlaskClient) -> None:
    assert client.get("/consultations?q=a%00b").status_code == 400
    assert client.post("/login", data={"email": "a\x00@b.kz", "password": "x"}).status_code == 400
    assert client.get("/submissions/LS-AAAA-%00BBB").status_code == 400
