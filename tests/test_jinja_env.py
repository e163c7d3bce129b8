from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.template.loader import get_template
from django.utils import translation

from protection_center.jinja_env import date_format


@pytest.mark.parametrize(
    ("language", "value", "text"),
    [
        ("zh-hans", date(2026, 10, 8), "2026年10月8日"),
        ("en", date(2026, 10, 8), "Oct. 8, 2026"),
        # 17:30 UTC is 01:30 the next morning in Shanghai: the local day is shown.
        ("zh-hans", datetime(2026, 11, 27, 17, 30, tzinfo=UTC), "2026年11月28日"),
        ("en", None, ""),
    ],
)
def test_the_date_filter_writes_the_local_day_in_the_active_language(language, value, text):
    with translation.override(language):
        assert date_format(value) == text


def test_translations_are_escaped_and_filled_in_the_public_templates(rf):
    template = get_template("base.html", using="jinja2")
    with translation.override("en"):
        html = template.render({}, rf.get("/status/?a=1&b=<x>"))
    assert '<html lang="en">' in html
    assert "Skip to content" in html
    # The current path (as the request has it) goes into the other language's link, encoded.
    assert 'href="/language/zh-hans/?next=/status/%3Fa%3D1%26b%3D%253Cx%253E"' in html
    with translation.override("zh-hans"):
        assert "跳到正文" in get_template("base.html", using="jinja2").render({}, rf.get("/"))
