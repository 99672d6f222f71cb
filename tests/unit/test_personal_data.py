"""Personal data (IIN/BIN, phones, e-mails, card numbers) is found, and only personal data."""

from __future__ import annotations

import timeit

import pytest

from listening_state.personal_data import (
    DEFAULT_MARKERS,
    Finding,
    find_personal_data,
    has_personal_data,
    identification_number_kind,
    luhn_valid,
    redact,
)

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def with_check_digit(first_eleven: str) -> str:
    """The official control digit, computed here independently of the module under test."""
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        control = sum(int(d) * w for d, w in zip(first_eleven, weights, strict=True)) % 11
        if control != 10:
            return first_eleven + str(control)
    raise ValueError(f"{first_eleven} has no valid control digit")


def with_wrong_check_digit(number: str) -> str:
    return number[:11] + str((int(number[11]) + 1) % 10)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_personal_data(text)]


# Born 1 January 1988 (male, 20th century); 15 May 1990 (female); 11 December 2006 (female,
# 21st century: the example published with the kz-iin-validator library).
IINS = [with_check_digit(p) for p in ("88010130012", "90051540017", "06121160001")]
# The first weighting gives 10 for this prefix, so the second weighting decides.
IIN_BY_SECOND_WEIGHTS = with_check_digit("90051540050")
# Registered February 2008 / November 2015: resident legal entity head office, a branch,
# a non-resident's representative office and an individual entrepreneur.
BINS = [with_check_digit(p) for p in ("08024000123", "15114100456", "99125200789", "20016000007")]


def test_known_public_iin_is_valid() -> None:
    assert IINS[2] == "061211600012"
    assert identification_number_kind("061211600012") == "iin"


@pytest.mark.parametrize("iin", [*IINS, IIN_BY_SECOND_WEIGHTS])
def test_iin_with_official_check_digit_is_found(iin: str) -> None:
    assert kinds(f"Менің ЖСН-ім {iin}, тексеріңіз.") == [("iin", iin)]


def test_second_weighting_is_used_when_the_first_gives_ten() -> None:
    prefix = "90051540050"
    assert sum(int(d) * w for d, w in zip(prefix, FIRST_WEIGHTS, strict=True)) % 11 == 10
    assert IIN_BY_SECOND_WEIGHTS == "900515400502"
    assert identification_number_kind(IIN_BY_SECOND_WEIGHTS) == "iin"


@pytest.mark.parametrize("iin", [*IINS, IIN_BY_SECOND_WEIGHTS])
def test_changing_the_check_digit_makes_it_not_an_iin(iin: str) -> None:
    wrong = with_wrong_check_digit(iin)
    assert identification_number_kind(wrong) is None
    assert find_personal_data(f"ИИН {wrong}") == []


def test_prefix_where_both_weightings_give_ten_is_never_an_iin() -> None:
    prefix = "90051540054"
    with pytest.raises(ValueError, match="no valid control digit"):
        with_check_digit(prefix)
    assert all(identification_number_kind(f"{prefix}{d}") is None for d in range(10))


@pytest.mark.parametrize("bin_", BINS)
def test_bin_with_official_check_digit_is_found(bin_: str) -> None:
    assert kinds(f"ТОО, БИН {bin_}.") == [("bin", bin_)]
    assert identification_number_kind(with_wrong_check_digit(bin_)) is None


@pytest.mark.parametrize(
    "prefix",
    [
        "88130130012",  # month 13
        "88010030012",  # day 00
        "88013230012",  # day 32
        "88010170012",  # century-and-sex digit 7
        "08027000123",  # BIN entity type 7
        "08004000123",  # BIN month 00
    ],
)
def test_check_digit_alone_is_not_enough_without_the_structure(prefix: str) -> None:
    assert identification_number_kind(with_check_digit(prefix)) is None


@pytest.mark.parametrize(
    "phone",
    [
        "+7 (701) 123-45-67",
        "+7 701 123 45 67",
        "+77011234567",
        "+7-701-123-45-67",
        "+7.701.123.45.67",
        "8 701 123 45 67",
        "8-701-123-45-67",
        "8(701)1234567",
        "87011234567",
        "77011234567",
        "8 (727) 250 00 00",
        "8 (7172) 55-66-77",
        "8 7172 556677",
        "(727) 250-00-00",
        "701 123 45 67",
        "+7 916 123-45-67",  # a Russian mobile: the "+7" makes it a phone
    ],
)
def test_phone_in_kazakh_format_is_found(phone: str) -> None:
    assert kinds(f"Звоните: {phone}, после 18:00.") == [("phone", phone)]


@pytest.mark.parametrize(
    "text",
    [
        "Программа на 2024-2025 годы",
        "Выделено 1 000 000 тенге",
        "Бюджет 87 000 000 000 тенге",
        "Бюджет 87 000 000 000",
        "87000000000 теңге бөлінді",
        "Заседание 12.03.2024 в 10:00",
        "Период 01.01.2023-31.12.2024",
        "Закон № 401-VII от 16.11.2015",
        "Дом 8, квартира 701, 12 подъезд",
        "Индекс 050000, Алматы",
        "Коэффициент 0.87011234567",
        "8-701-123-45-67-89",
        "Телефон мен 7 күн",
    ],
)
def test_years_amounts_dates_and_other_numbers_are_not_phones(text: str) -> None:
    assert find_personal_data(text) == []


def test_iin_is_not_taken_for_a_phone() -> None:
    iin = with_check_digit("87011230012")
    assert kinds(f"ИИН {iin}") == [("iin", iin)]


def test_twelve_digits_that_are_not_an_iin_are_not_a_phone_either() -> None:
    assert find_personal_data(f"Номер {with_wrong_check_digit(IINS[0])}") == []


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1111",
        "4111111111111111",
        "5500 0000 0000 0004",
        "5555-5555-5555-4444",
        "2200 0000 0000 0004",
        "3782 822463 10005",
        "3056 930902 5904",
        "4222222222222",
        "6011 0009 9013 9424",
    ],
)
def test_luhn_valid_card_number_is_found(card: str) -> None:
    assert kinds(f"Менің картам {card} бұғатталды") == [("card", card)]


@pytest.mark.parametrize(
    "card",
    [
        "4111 1111 1111 1112",
        "4111111111111121",
        "5500000000000005",
        # 19 digits failing Luhn, though the first 16 pass: never half-masked.
        "4111111111111111123",
    ],
)
def test_card_number_failing_luhn_is_not_redacted(card: str) -> None:
    text = f"Номер {card} в заявке"
    assert not luhn_valid(card.replace(" ", ""))
    assert find_personal_data(text) == []
    assert redact(text) == text


def test_card_number_followed_by_expiry_date_is_found() -> None:
    assert kinds("Карта 4111 1111 1111 1111 12/26") == [("card", "4111 1111 1111 1111")]


def test_list_of_years_is_not_a_card() -> None:
    assert luhn_valid("2023202420252026")
    assert find_personal_data("Жоспар: 2023 2024 2025 2026 жылдар") == []


def test_card_number_is_not_also_reported_as_phone_or_iin() -> None:
    assert kinds("Карта 4111111111111111") == [("card", "4111111111111111")]


@pytest.mark.parametrize(
    ("text", "email"),
    [
        ("Пишите на ivan.petrov@mail.ru, ответят.", "ivan.petrov@mail.ru"),
        ("Хат жіберіңіз: aigul_90+kenes@gov.kz.", "aigul_90+kenes@gov.kz"),
        ("Почта (info@minfin.gov.kz) не отвечает", "info@minfin.gov.kz"),
        ("Адрес: иван@почта.рф", "иван@почта.рф"),
    ],
)
def test_email_in_cyrillic_text_is_found(text: str, email: str) -> None:
    assert kinds(text) == [("email", email)]


@pytest.mark.parametrize("text", ["Встреча @ 10:00", "a@b", "пишите в @akimat_almaty", "x@y.1"])
def test_at_sign_alone_is_not_an_email(text: str) -> None:
    assert find_personal_data(text) == []


def test_phone_inside_an_email_is_part_of_the_email() -> None:
    assert kinds("87011234567@mail.ru") == [("email", "87011234567@mail.ru")]


def test_findings_are_ordered_and_carry_their_position() -> None:
    iin = IINS[0]
    text = f"ИИН {iin}, тел. +7 701 123 45 67, e-mail a.b@gov.kz, карта 4111-1111-1111-1111"
    findings = find_personal_data(text)
    assert [f.kind for f in findings] == ["iin", "phone", "email", "card"]
    assert all(text[f.start : f.end] == f.text for f in findings)
    assert findings[0] == Finding("iin", 4, 16, iin)


def test_redact_keeps_surrounding_kazakh_text_intact() -> None:
    text = "Сәлеметсіз бе! Менің нөмірім 8 701 123 45 67, хабарласыңыз."
    assert redact(text) == "Сәлеметсіз бе! Менің нөмірім [phone removed], хабарласыңыз."


def test_redact_keeps_surrounding_russian_text_intact() -> None:
    iin = IINS[1]
    text = f"Прошу проверить: ИИН {iin}, почта ivan@mail.ru, карта 5500 0000 0000 0004."
    assert redact(text) == (
        "Прошу проверить: ИИН [IIN removed], почта [e-mail removed], карта [card number removed]."
    )


def test_redact_uses_the_markers_given_and_defaults_for_the_rest() -> None:
    text = f"Тел. 87011234567, ЖСН {IINS[0]}"
    assert (
        redact(text, {"phone": "[телефон жасырылды]"})
        == "Тел. [телефон жасырылды], ЖСН [IIN removed]"
    )


def test_redact_without_personal_data_returns_the_text_unchanged() -> None:
    text = "Қазақстан Республикасының 2024-2025 жылдарға арналған бюджеті 1 000 000 теңге."
    assert redact(text) == text
    assert not has_personal_data(text)


def test_every_kind_has_a_default_marker() -> None:
    assert set(DEFAULT_MARKERS) == {"iin", "bin", "phone", "email", "card"}


def test_has_personal_data() -> None:
    assert has_personal_data("мой номер 8 701 123 45 67")
    assert not has_personal_data("")


def test_a_long_comment_is_scanned_in_about_a_millisecond() -> None:
    sentence = (
        "Менің атым Айгүл, телефоным 8 701 123 45 67. Мы платим 1 000 000 тенге "
        "в 2024-2025 годах, заседание 12.03.2024, пишите на aigul@mail.kz. "
    )
    text = (sentence * 40)[:5000]
    runs = 20
    seconds = timeit.timeit(lambda: find_personal_data(text), number=runs) / runs
    # Generous for slow CI machines; about 0.7 ms on a laptop.
    assert seconds < 0.01
