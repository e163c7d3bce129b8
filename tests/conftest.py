from __future__ import annotations

import pytest

from cases import calendar


@pytest.fixture(scope="session", autouse=True)
def _jinja2_templates_report_their_context():
    """``response.context`` for the Jinja2 pages too, as Django's test setup gives it
    for its own templates (through the ``template_rendered`` signal)."""
    from django.template.backends.jinja2 import Template
    from django.test.signals import template_rendered

    render = Template.render

    def render_and_report(self, context=None, request=None):
        template_rendered.send(sender=self, template=self, context=dict(context or {}))
        return render(self, context, request)

    Template.render = render_and_report
    yield
    Template.render = render


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters, kept pages and wake-up keys do not leak from one test into the
    next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_memo():
    """Each test sees the calendar table as its own transaction left it: the calendar a
    test built from rows it changed (and rolled back) is not kept for the next."""
    calendar._memo = None
    yield
    calendar._memo = None


@pytest.fixture
def redis_cache(settings):
    """Redis as the cache, as in production (database 14)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "protection_center.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
        }
    }
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def english(settings):
    """Force English messages for assertions on wording."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """Transactional tests truncate every table; they must restore what migrations seed.

    Without ``serialized_rollback=True`` the role groups and the holiday calendar would be
    gone for every later test, and due dates would silently turn into estimates.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        assert marker.kwargs.get("serialized_rollback"), (
            "mark transactional tests django_db(transaction=True, serialized_rollback=True)"
        )
    yield
