from __future__ import annotations

import pytest

from cases.people import person_name


@pytest.mark.parametrize(
    ("first", "last", "username", "expected"),
    [
        ("立新", "陈", "chen", "陈立新"),  # family name first, no space
        ("Ann", "Lee", "alee", "Ann Lee"),
        ("", "", "sh_clerk", "sh_clerk"),
        (None, "王", "wang", "王"),
    ],
)
def test_person_name(first, last, username, expected):
    assert person_name(first, last, username) == expected
