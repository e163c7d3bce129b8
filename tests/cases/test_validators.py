from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cases.validators import (
    credit_code_check_char,
    make_credit_code,
    normalize_classification,
    normalize_credit_code,
    normalize_ipc_prefixes,
    normalize_locarno_classes,
    validate_classification,
    validate_credit_code,
)


@pytest.fixture(autouse=True)
def _english():
    # The default language is Simplified Chinese; the messages are asserted in English.
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("91350100M000100Y4", "3"),  # codes in real use; their check characters verified
        ("91110000600037341", "L"),
        ("91440300192203821", "6"),
        ("9131000MA1FL00005", "Y"),  # the last character of the set
        ("9131000MA1FL00015", "0"),  # 31 - (sum % 31) == 31 is written 0
        ("9131000MA1FL00000", "F"),
        ("00000000000000000", "0"),
    ],
)
def test_credit_code_check_char(first17, expected):
    assert credit_code_check_char(first17) == expected
    assert make_credit_code(first17) == first17 + expected


@pytest.mark.parametrize(
    "bad", ["", "9135010", "91350100M000100Y43", "91350100m000100Y4", "9135010OM000100Y4"]
)
def test_credit_code_check_char_needs_17_normalized_characters(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 9135 0100 M000 100Y 43 ", "91350100M000100Y43"),
        ("91350100-M000100Y4-3", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),  # full width
        ("91350100\u3000M000100Y43\n", "91350100M000100Y43"),  # ideographic space
        ("91350100－M000100Y43", "91350100M000100Y43"),  # full-width hyphen
    ],
)
def test_normalize_credit_code(value, normalized):
    assert normalize_credit_code(value) == normalized


@pytest.mark.parametrize(
    "value",
    [
        "91350100M000100Y43",
        "91110000600037341L",
        "914403001922038216",
        "9131000MA1FL00005Y",
        "9131000MA1FL000150",
        make_credit_code("12100000400000000"),
        make_credit_code("Y1310115MA1H7XXXX"),
        # loose input is validated in its normalised form
        "91110000600037341l",
        "9111 0000 6000 3734 1L",
        "９１１１００００６０００３７３４１Ｌ",
    ],
)
def test_validate_credit_code_valid(value):
    validate_credit_code(value)


@pytest.mark.parametrize(
    ("value", "code", "fragments"),
    [
        ("", "length", ["18 characters, not 0"]),
        ("91350100M000100Y4", "length", ["18 characters, not 17"]),
        ("91350100M000100Y433", "length", ["18 characters, not 19"]),
        ("9135 0100 M000 100Y", "length", ["not 16", "spaces and hyphens are not counted"]),
        ("91350100I000100Y43", "characters", ["“I”", "I, O, S, V and Z"]),
        ("91350100O000100Y43", "characters", ["“O”"]),
        ("91350100Z000100Y43", "characters", ["“Z”"]),
        ("91350100S000100Y43", "characters", ["“S”"]),
        ("91350100V000100Y43", "characters", ["“V”"]),
        ("91350100i0o0100Y43", "characters", ["“I” “O”"]),  # lowercase, shown normalised
        ("91350100M000100Y4#", "characters", ["“#”"]),
        ("91350100M000100Y44", "check", ["is 4", "should be 3"]),
        ("91110000600037341K", "check", ["is K", "should be L"]),
        ("914403001922038217", "check", ["should be 6"]),
        ("9131000MA1FL00005X", "check", ["should be Y"]),
        ("9131000MA1FL00015Y", "check", ["should be 0"]),
        ("91350110M000100Y43", "check", ["91350110M000100Y4"]),  # a digit swapped
    ],
)
def test_validate_credit_code_invalid(value, code, fragments):
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code(value)
    assert excinfo.value.code == code
    message = excinfo.value.messages[0]
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("patent_type", "typed", "stored"),
    [
        ("invention", "B25J 11/00", "B25J 11/00"),
        ("invention", "H01M 10/0525", "H01M 10/0525"),
        ("invention", "b25j11/00", "B25J 11/00"),  # lower case, no space
        ("invention", "  C08K  3 / 04 ", "C08K 3/04"),  # spaces anywhere
        ("invention", "Ｃ０８Ｋ　３／０４", "C08K 3/04"),  # full-width, ideographic space
        ("invention", "A61K 9999/123456", "A61K 9999/123456"),  # longest group and subgroup
        ("utility_model", "F24S 10/70", "F24S 10/70"),
        ("design", "14-02", "14-02"),
        ("design", "１４－０２", "14-02"),  # full-width digits and hyphen
        ("design", "06 – 01", "06-01"),  # an en dash, spaces
        ("design", "01-01", "01-01"),
        ("design", "32-00", "32-00"),
    ],
)
def test_normalize_classification(patent_type, typed, stored):
    assert normalize_classification(patent_type, typed) == stored
    validate_classification(patent_type, typed)  # does not raise


@pytest.mark.parametrize(
    ("patent_type", "bad", "code"),
    [
        ("invention", "", "required"),
        ("invention", "   ", "required"),
        ("invention", "XYZ", "ipc"),
        ("invention", "C08", "ipc"),  # a class, not a group
        ("invention", "C08K", "ipc"),  # a subclass, not a group
        ("invention", "C08K 3", "ipc"),  # no subgroup
        ("invention", "C08K 3/4", "ipc"),  # a subgroup has at least two digits
        ("invention", "I01M 10/00", "ipc"),  # sections are A to H
        ("invention", "C8K 3/04", "ipc"),  # the class has two digits
        ("invention", "C08K 12345/00", "ipc"),  # a main group has at most four digits
        ("invention", "14-02", "ipc"),  # a Locarno class for an invention
        ("utility_model", "14-02", "ipc"),
        ("design", "C08K 3/04", "locarno"),  # an IPC symbol for a design
        ("design", "14", "locarno"),
        ("design", "14-2", "locarno"),
        ("design", "00-01", "locarno"),  # classes run from 01
        ("design", "33-01", "locarno"),  # to 32
        ("design", "1402", "locarno"),
    ],
)
def test_validate_classification_refuses(patent_type, bad, code):
    with pytest.raises(ValidationError) as raised:
        validate_classification(patent_type, bad)
    assert raised.value.code == code


def test_classification_message_names_the_value_and_an_example():
    with pytest.raises(ValidationError) as raised:
        validate_classification("invention", "XYZ")
    assert "“XYZ”" in raised.value.messages[0]
    assert "B25J 11/00" in raised.value.messages[0]
    with pytest.raises(ValidationError) as raised:
        validate_classification("design", "99-01")
    assert "01 to 32" in raised.value.messages[0]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("C08, B01D, H01M 10", "C08, B01D, H01M 10"),
        ("c08，b01d、h01m10", "C08, B01D, H01M 10"),  # Chinese separators, lower case
        ("Ｃ０８；C08", "C08"),  # full-width, duplicates once
        ("A", "A"),  # a whole section
        ("", ""),
    ],
)
def test_ipc_prefix_lists_are_normalised(value, stored):
    assert normalize_ipc_prefixes(value) == stored


@pytest.mark.parametrize("value", ["XYZ", "C0", "C8", "H01 10", "C08K 3/04", "I01"])
def test_malformed_ipc_prefixes_are_refused(value):
    with pytest.raises(ValidationError) as error:
        normalize_ipc_prefixes(f"C08, {value}")
    assert error.value.code == "ipc_prefix"


@pytest.mark.parametrize(
    ("value", "stored"),
    [("12, 14-02", "12, 14-02"), ("1，３２", "01, 32"), ("14－02", "14-02"), ("", "")],
)
def test_locarno_class_lists_are_normalised(value, stored):
    assert normalize_locarno_classes(value) == stored


@pytest.mark.parametrize("value", ["0", "33", "14-2", "A1", "123"])
def test_locarno_classes_outside_01_to_32_are_refused(value):
    with pytest.raises(ValidationError) as error:
        normalize_locarno_classes(value)
    assert error.value.code == "locarno_class"
