from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from cases.appnumbers import (
    ApplicationNumber,
    ApplicationNumberError,
    PatentKind,
    check_digit,
    make_application_number,
    parse_application_number,
)

TODAY = datetime.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _english():
    # The default language is Simplified Chinese; the messages are asserted in English.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("twelve_digits", "expected"),
    [
        ("202310123456", "6"),  # the example in DESIGN / the brief
        ("202310123459", "X"),  # remainder 10 is written X
        ("202420100007", "X"),
        ("202320123456", "1"),
        ("202330123456", "7"),
        ("200310000000", "3"),
        ("202580100001", "X"),
    ],
)
def test_check_digit(twelve_digits, expected):
    assert check_digit(twelve_digits) == expected


@pytest.mark.parametrize(
    "bad", ["", "20231012345", "2023101234567", "20231012345X", "２０２３１０１２３４５６"]
)
def test_check_digit_needs_12_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("202310123456.6", "202310123456.6"),
        ("202310123459.X", "202310123459.X"),  # X check digit
        ("202310123459.x", "202310123459.X"),  # lowercase x
        ("202310123459x", "202310123459.X"),  # no dot, lowercase x
        ("2023101234566", "202310123456.6"),  # no dot: the 13th character is the check
        ("CN202310123456.6", "202310123456.6"),
        ("cn 202310123456.6", "202310123456.6"),
        ("ZL202310123456.6", "202310123456.6"),
        ("zl: 202310123456.6", "202310123456.6"),
        ("ZL：202310123456.6", "202310123456.6"),  # full-width colon
        ("ZL 2023 1 0123456.6", "202310123456.6"),  # as printed on certificates
        ("  2023 1012 3456 . 6  ", "202310123456.6"),  # spaces anywhere
        ("2023\u00a010123456.6\t", "202310123456.6"),  # no-break space and tab
        ("２０２３１０１２３４５６．６", "202310123456.6"),  # full-width digits and dot
        ("２０２３１０１２３４５９．ｘ", "202310123459.X"),  # full-width lowercase x
        ("ＣＮ　２０２３１０１２３４５６。６", "202310123456.6"),  # ideographic space and 。
        ("202420100007.X", "202420100007.X"),  # utility model
        ("202330123456.7", "202330123456.7"),  # design
        ("202580100001.X", "202580100001.X"),  # PCT invention, national phase
        ("200310000000.3", "200310000000.3"),  # first year of the format
        ("202610000000.4", "202610000000.4"),  # next year (TODAY is in 2025)
    ],
)
def test_parse_valid(text, normalized):
    number = parse_application_number(text, today=TODAY)
    assert str(number) == normalized


@pytest.mark.parametrize(
    ("text", "code", "fragments"),
    [
        ("", "empty", ["Enter an application number"]),
        ("   ", "empty", ["Enter an application number"]),
        ("CN", "empty", ["Enter an application number"]),
        ("20231012345.6", "length", ["12 digits found", "13: 12 digits"]),
        ("20231012345666", "length", ["14 digits found", "13: 12 digits"]),
        ("2023", "length", ["4 digits found"]),
        ("202310123456", "length", ["check digit is missing"]),
        ("202310123456.", "length", ["check digit is missing"]),
        ("98123456.X", "old_format", ["before 2003", "not supported"]),
        ("031000022", "old_format", ["before 2003", "not supported"]),
        ("2023.101234566", "dot", ["dot is in the wrong place"]),
        ("2023101234.566", "dot", ["dot is in the wrong place"]),
        ("202310123456..6", "dot", ["dot is in the wrong place"]),
        ("2023101234A6.6", "characters", ["“A”"]),
        ("2023-10123456.6", "characters", ["“-”"]),
        ("20231012345X.6", "characters", ["“X”"]),  # X only as the check digit
        ("申请号：202310123456.6", "characters", ["“申”", "“:”"]),
        ("US202310123456.6", "characters", ["“U”", "“S”"]),
        ("202340123456.1", "type", ["4", "1 (invention)", "9 (PCT utility model"]),
        ("202370123456.5", "type", ["fifth digit, 7", "3 (design)"]),
        ("200210123456.4", "year", ["2002", "between 2003 and 2026"]),
        ("202710123456.4", "year", ["2027", "between 2003 and 2026"]),
        ("202310123456.7", "check", ["is 7", "should be 6"]),
        ("202310123459.9", "check", ["should be X"]),
        ("202310123456.X", "check", ["is X", "should be 6"]),
        ("２０２３１０１２３４５６．０", "check", ["should be 6"]),
    ],
)
def test_parse_invalid(text, code, fragments):
    with pytest.raises(ApplicationNumberError) as excinfo:
        parse_application_number(text, today=TODAY)
    assert isinstance(excinfo.value, ValueError)
    assert excinfo.value.code == code
    for fragment in fragments:
        assert fragment in str(excinfo.value)


def test_parse_year_limit_defaults_to_next_year():
    next_year = datetime.date.today().year + 1
    parse_application_number(str(make_application_number(next_year, 1, 1)))
    with pytest.raises(ApplicationNumberError, match=str(next_year + 1)):
        parse_application_number(str(make_application_number(next_year + 1, 1, 1)))


@pytest.mark.parametrize(
    ("text", "kind", "pct"),
    [
        ("202310123456.6", PatentKind.INVENTION, False),
        ("202420100007.X", PatentKind.UTILITY_MODEL, False),
        ("202330123456.7", PatentKind.DESIGN, False),
        ("202580100001.X", PatentKind.INVENTION, True),
        ("202590100002.X", PatentKind.UTILITY_MODEL, True),
    ],
)
def test_patent_kind_and_pct(text, kind, pct):
    number = parse_application_number(text, today=TODAY)
    assert number.patent_kind is kind
    assert number.is_pct_national_phase is pct


def test_patent_kind_values_are_what_the_case_stores():
    assert [kind.value for kind in PatentKind] == ["invention", "utility_model", "design"]


def test_parsed_fields():
    number = parse_application_number("CN 2023 1 0123456.6", today=TODAY)
    assert number == ApplicationNumber(year=2023, type_digit=1, serial="0123456", check="6")
    assert number.digits == "202310123456"


def test_formatted_groups_year_type_and_serial_and_parses_back():
    number = parse_application_number("202310123456.6", today=TODAY)
    assert number.formatted() == "2023 1 0123456.6"
    assert parse_application_number(number.formatted(), today=TODAY) == number


@pytest.mark.parametrize(
    ("year", "type_digit", "serial", "expected"),
    [
        (2023, 1, 123456, "202310123456.6"),
        (2023, 1, 123459, "202310123459.X"),
        (2024, 2, 100007, "202420100007.X"),
        (2025, 9, 100002, "202590100002.X"),
        (2003, 3, 0, "200330000000.4"),
        (2025, 1, 9_999_999, None),
    ],
)
def test_make_application_number_parses_back(year, type_digit, serial, expected):
    number = make_application_number(year, type_digit, serial)
    if expected is not None:
        assert str(number) == expected
    assert parse_application_number(str(number), today=TODAY) == number


@pytest.mark.parametrize(
    ("year", "type_digit", "serial"),
    [(2002, 1, 1), (10000, 1, 1), (2023, 4, 1), (2023, 0, 1), (2023, 1, -1), (2023, 1, 10**7)],
)
def test_make_application_number_rejects_impossible_parts(year, type_digit, serial):
    with pytest.raises(ValueError):
        make_application_number(year, type_digit, serial)
