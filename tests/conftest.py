from __future__ import annotations

import pytest

from cases.services import clocks


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and wake-up keys do not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_calendar_memo():
    """Each test sees the calendar table as its own transaction left it."""
    clocks.calendar_changed()
    yield
    clocks.calendar_changed()


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
