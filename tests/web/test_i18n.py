"""Interface language: user preference, then the switcher, then the browser; complete catalogs."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from listening_state.extensions import db
from tests.factories import login, make_consultation, make_ministry, make_user

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "listening_state" / "translations"


def _lang(client: FlaskClient, **headers: str) -> str:
    page = client.get("/", headers=headers).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_browser_language_is_used_first_for_visitors(client: FlaskClient) -> None:
    assert _lang(client, **{"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}) == "ru"
    assert _lang(client, **{"Accept-Language": "de-DE"}) == "en"


def test_switcher_choice_is_kept_in_the_session_over_the_browser(client: FlaskClient) -> None:
    response = client.post("/language/kk?next=/consultations")
    assert response.headers["Location"] == "/consultations"
    assert _lang(client, **{"Accept-Language": "ru"}) == "kk"


def test_switcher_refuses_unknown_languages(client: FlaskClient) -> None:
    assert client.post("/language/de").status_code == 400


def test_users_preference_wins_and_the_switcher_updates_it(client: FlaskClient) -> None:
    user = make_user(language="ru")
    login(client, user)
    assert _lang(client, **{"Accept-Language": "en"}) == "ru"
    client.post("/language/kk")
    db.session.refresh(user)
    assert user.preferred_language == "kk"
    assert _lang(client) == "kk"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "Consultation kk"), ("ru", "Consultation ru"), ("en", "Consultation en")],
)
def test_ministry_names_follow_the_interface_language(
    client: FlaskClient, language: str, expected: str
) -> None:
    from listening_state.authz import SYSTEM
    from listening_state.services import ministries

    ministry = ministries.upsert_ministry(
        actor=SYSTEM,
        code="MNE",
        name_kk="Ұлттық экономика министрлігі",
        name_ru="Министерство национальной экономики",
        name_en="Ministry of National Economy",
        mandate="",
    )
    make_consultation(ministry)
    client.post(f"/language/{language}")
    page = client.get("/consultations").get_data(as_text=True)
    name = ministry.name(language)
    assert name in page
    others = {"kk": ministry.name_kk, "ru": ministry.name_ru, "en": ministry.name_en}
    others.pop(language)
    assert expected.endswith(language)
    assert not any(f">{other}<" in page for other in others.values())


def test_pages_are_translated_in_each_language(client: FlaskClient) -> None:
    make_consultation(make_ministry())
    headings = {}
    for language in ("kk", "ru", "en"):
        client.post(f"/language/{language}")
        headings[language] = (
            client.get("/consultations")
            .get_data(as_text=True)
            .split("<h1>", 1)[1]
            .split("</h1>")[0]
        )
    assert headings == {"kk": "Талқылаулар", "ru": "Обсуждения", "en": "Consultations"}


def test_catalogs_translate_every_string_in_the_code(tmp_path: Path) -> None:
    """A fresh extraction of the templates and code finds no string missing from a catalog."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "--ignore-dirs",
            ".*",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    for language in ("kk", "ru", "en"):
        with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
        translated = {
            m.id
            for m in catalog
            if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
        }
        missing = sorted(str(i) for i in wanted - translated)
        assert not missing, f"{language} catalog lacks: {missing[:10]}"
