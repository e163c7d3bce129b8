"""Percentiles agree with a hand computation on PostgreSQL and with the Python fallback."""

from __future__ import annotations

import pytest

from cases.models import Case, CaseState
from cases.selectors.stats import grouped_percentiles, interpolate
from tests import factories


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.9, 7.0),
        ([1, 2, 3, 4], 0.5, 2.5),  # halfway between the middle two
        ([10, 20, 30, 40, 50], 0.9, 46.0),  # 0.9 * 4 = 3.6 -> 40 + 0.6 * 10
        ([0, 100], 0.25, 25.0),
    ],
)
def test_interpolate_matches_percentile_cont(values, q, expected):
    assert interpolate(values, q) == expected


@pytest.mark.django_db
def test_grouped_percentiles_in_the_database():
    center = factories.make_center()
    entity = factories.make_entity(center)
    for days, patent_type in [
        (10, "invention"),
        (20, "invention"),
        (40, "invention"),
        (5, "design"),
    ]:
        case = factories.make_case(CaseState.SUBMITTED, entity=entity, patent_type=patent_type)
        Case.objects.filter(pk=case.pk).update(benchmark_gross_days=days)
    result = grouped_percentiles(
        Case.objects.filter(center=center),
        value="benchmark_gross_days",
        quantiles=[0.5, 0.9],
        group_by=["patent_type"],
    )
    assert result[("invention",)] == {0.5: 20.0, 0.9: 36.0}  # 0.9 * 2 = 1.8 -> 20 + 0.8 * 20
    assert result[("design",)] == {0.5: 5.0, 0.9: 5.0}
    overall = grouped_percentiles(
        Case.objects.filter(center=center), value="benchmark_gross_days", quantiles=[0.5]
    )
    assert overall == {(): {0.5: 15.0}}


@pytest.mark.django_db
def test_fallback_path_gives_the_same_figures(monkeypatch):
    center = factories.make_center()
    entity = factories.make_entity(center)
    for days in (3, 9, 12, 30):
        case = factories.make_case(CaseState.SUBMITTED, entity=entity)
        Case.objects.filter(pk=case.pk).update(benchmark_gross_days=days)
    queryset = Case.objects.filter(center=center)
    in_database = grouped_percentiles(queryset, value="benchmark_gross_days", quantiles=[0.5, 0.9])
    monkeypatch.setattr("cases.selectors.stats.supports_percentile", lambda qs: False)
    fallback = grouped_percentiles(queryset, value="benchmark_gross_days", quantiles=[0.5, 0.9])
    assert in_database == fallback == {(): {0.5: 10.5, 0.9: pytest.approx(24.6)}}
