"""Text search and sorting work on Cyrillic with Kazakh letters, on real sentences."""

import csv
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from listening_state.services import consultations
from tests.factories import make_consultation, make_ministry

SIB200 = Path(__file__).resolve().parents[3] / "shared" / "data" / "sib200"


def _sentences(language: str, count: int) -> list[str]:
    path = SIB200 / language / "dev.tsv"
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["text"] for row in rows[:count]]


@pytest.mark.parametrize("language", ["kaz_Cyrl", "rus_Cyrl"])
def test_search_finds_each_real_sentence_by_an_upper_case_word(
    client: FlaskClient, language: str
) -> None:
    sentences = _sentences(language, 8)
    ministry = make_ministry()
    for n, sentence in enumerate(sentences):
        make_consultation(ministry, title=f"Draft {n}", summary=sentence)
    for n, sentence in enumerate(sentences):
        word = max(sentence.strip(".,:;!?«»()").split(), key=len).strip('.,:;!?«»()"')
        found = consultations.search_consultations(query=word.upper())
        titles = {c.title for c in found.items}
        assert f"Draft {n}" in titles, (word, sentence)


def test_search_matches_kazakh_specific_letters_case_insensitively(client: FlaskClient) -> None:
    kazakh = _sentences("kaz_Cyrl", 40)
    with_letters = [s for s in kazakh if "қ" in s and "ұ" in s][:2]
    assert with_letters, "sib200 dev has Kazakh sentences with қ and ұ"
    target = make_consultation(title="Ішкі жоба", summary=with_letters[0])
    make_consultation(title="Басқа жоба", summary="Сөйлем мұнда жоқ.")
    word = next(w for w in with_letters[0].split() if "қ" in w or "ұ" in w).strip(".,:;")
    page = client.get("/consultations", query_string={"q": word.upper()}).get_data(as_text=True)
    assert f"/consultations/{target.id}" in page
    assert "Басқа жоба" not in page


def test_search_treats_like_wildcards_literally(client: FlaskClient) -> None:
    make_consultation(title="Budget of 100% reform")
    make_consultation(title="Budget of one hundred reform")
    assert {c.title for c in consultations.search_consultations(query="100%").items} == {
        "Budget of 100% reform"
    }
    assert consultations.search_consultations(query="_").total == 0


def test_title_sort_follows_the_kazakh_alphabet(client: FlaskClient) -> None:
    ministry = make_ministry()
    for title in [
        "Өңірлік даму",
        "Орман шаруашылығы",
        "Ұлттық экономика",
        "Үкімет жобасы",
        "Ауыл жобасы",
        "Әлеуметтік қорғау",
    ]:
        make_consultation(ministry, title=title)
    ordered = [c.title for c in consultations.search_consultations(sort="title").items]
    assert ordered == [
        "Ауыл жобасы",
        "Әлеуметтік қорғау",
        "Орман шаруашылығы",
        "Өңірлік даму",
        "Ұлттық экономика",
        "Үкімет жобасы",
    ]
