"""The tolerant cell parsers, against values typed the way French and English users type them."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pmo_logic import choices
from pmo_logic.parsing import (
    CellError,
    parse_choice,
    parse_date,
    parse_flag,
    parse_integer,
    parse_number,
    parse_percent,
    parse_text,
)


@pytest.mark.parametrize(
    ("raw", "lang", "expected"),
    [
        (1234.5, "en", 1234.5),
        ("1 234,50 €", "fr", 1234.5),
        ("1\u202f234,50\u00a0€", "fr", 1234.5),  # Excel's French thousands separator is a narrow space
        ("1,234.50", "en", 1234.5),
        ("1.234,50", "fr", 1234.5),
        ("$1,234", "en", 1234.0),
        ("1,234", "fr", 1.234),
        ("12,5", "en", 12.5),
        ("(500)", "en", -500.0),
        ("-3", "en", -3.0),
        ("12%", "en", 0.12),
        ("", "en", None),
        ("   ", "fr", None),
    ],
)
def test_numbers(raw, lang, expected):
    result = parse_number(raw, lang)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["abc", "12 mois", "1-2", True, date(2026, 1, 1)])
def test_not_a_number_says_what_was_found(raw):
    with pytest.raises(CellError, match="expected a number"):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("23/11/2026", date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23)),
        ("2026-11-23T00:00:00.000Z", date(2026, 11, 23)),
        ("23.11.2026", date(2026, 11, 23)),
        ("23-11-26", date(2026, 11, 23)),
        ("2026/11/23", date(2026, 11, 23)),
        ("23 novembre 2026", date(2026, 11, 23)),
        ("1er décembre 2026", date(2026, 12, 1)),
        ("23 Nov 2026", date(2026, 11, 23)),
        ("Nov 23, 2026", date(2026, 11, 23)),
        ("févr. 2027", date(2027, 2, 1)),
        (46349, date(2026, 11, 23)),  # Excel serial number
        (46349.0, date(2026, 11, 23)),
        (datetime(2026, 11, 23, 14, 30), date(2026, 11, 23)),
        (date(2026, 11, 23), date(2026, 11, 23)),
        ("", None),
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2026", "next week", "2026-13-01", 1e9, "23 brumaire 2026"])
def test_bad_dates_are_errors(raw):
    with pytest.raises(CellError, match="expected a date"):
        parse_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.45, 0.45), ("45%", 0.45), ("45 %", 0.45), ("0,45", 0.45), (45, 0.45), (1, 1.0), (0, 0.0), ("100%", 1.0)],
)
def test_percentages(raw, expected):
    assert parse_percent(raw, "fr") == pytest.approx(expected)


def test_integer_rejects_fractions():
    assert parse_integer("4") == 4
    with pytest.raises(CellError, match="whole number"):
        parse_integer(3.5)


def test_text_keeps_ids_typed_as_numbers_readable():
    assert parse_text(12.0) == "12"
    assert parse_text(" Build ") == "Build"
    assert parse_text(date(2026, 1, 2)) == "2026-01-02"


@pytest.mark.parametrize("raw", ["Terminée", "terminee", "DONE", "Done", "done", " done "])
def test_choices_accept_either_language_and_the_code(raw):
    assert parse_choice(raw, choices.TASK_STATUS) == "done"


def test_unknown_choice_lists_the_allowed_values():
    with pytest.raises(CellError, match=r"« Finished » n'est pas dans la liste \(Non commencée, En cours, Terminée"):
        parse_choice("Finished", choices.TASK_STATUS, "fr")


@pytest.mark.parametrize(("raw", "expected"), [("Oui", True), ("yes", True), ("x", True), (True, True), ("Non", False)])
def test_flags(raw, expected):
    assert parse_flag(raw) is expected


def test_bad_flag():
    with pytest.raises(CellError, match="Oui ou Non attendu, trouvé « maybe »"):
        parse_flag("maybe", "fr")
    with pytest.raises(CellError, match="expected Yes or No, found 'maybe'"):
        parse_flag("maybe")


def test_parsed_types_are_what_the_parsers_return():
    # The reader skips row models on the strength of this table: each kind's parser, fed the
    # ways people fill cells, returns exactly the type listed (or None for a blank).
    from pmo_logic.parsing import PARSED_TYPES, parser_for

    samples = {
        "text": ["a", 12.0, 7, True, datetime(2026, 1, 2), "  b  "],
        "choice": ["Done", "Terminée", "done"],
        "date": [datetime(2026, 1, 2, 0, 0), date(2026, 1, 2), 46000.0, "23/11/2026", "2026-11-23"],
        "flag": [True, "oui", "No", 1.0, 0],
        "integer": [3, 3.0, "4", "1 000"],
        "number": [3, 3.5, "1 234,50 €", "(500)", "12%"],
        "money": [1200, "1,234.50"],
        "percent": [0.5, "45%", 45, 1],
    }
    assert set(samples) == set(PARSED_TYPES)
    for kind, values in samples.items():
        parse = parser_for(kind, choices.TASK_STATUS if kind == "choice" else None, "fr")
        for value in values:
            assert type(parse(value)) is PARSED_TYPES[kind], (kind, value)
        assert parse("") is None and parse(None) is None
