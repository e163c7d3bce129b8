from __future__ import annotations

import pytest

from tests.factories import make_center


@pytest.fixture
def center():
    """The Shanghai center (SH). Its benchmarks differ per patent type (invention 29 days,
    utility model 20, design 10), so that a figure mixing the types shows it."""
    return make_center(
        "SH",
        benchmark_days_invention=29,
        benchmark_days_utility_model=20,
        benchmark_days_design=10,
    )
