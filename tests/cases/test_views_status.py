"""The public status page: lookup, signed links, rate limits, and what the page shows."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cases import calendar
from cases.models import Case, CaseEvent, CaseState, Party, Role, Step, Timer
from cases.selectors.status import MIN_FINISHED_CASES, status_case
from cases.services import access
from tests import factories

pytestmark = pytest.mark.django_db
LOOKUP = "/status/"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached figures start empty in every test (real cache)."""
    cache.clear()
    yield
    cache.clear()


def _code(case: Case) -> str:
    return access.case_reset_access_code(case=case, actor=factories.staff_of(case))


def _open(client, case: Case):
    case.refresh_from_db()
    return client.get(access.case_status_link(case))


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def _en(client) -> None:
    client.cookies["django_language"] = "en"


def _not_found_message() -> str:
    with translation.override("zh-hans"):
        from django.utils.translation import gettext

        return gettext("No case matches this reference and access code. Check both and try again.")


# Lookup


def test_the_form_labels_every_input(client):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("reference", "code"):
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html
    assert html.count("<h1") == 1


def test_the_right_reference_and_code_lead_to_the_signed_link(client):
    case = factories.make_case(CaseState.SUBMITTED)
    code = case.issued_access_code
    response = client.post(
        LOOKUP, {"reference": case.reference.lower(), "code": code.lower().replace("-", "")}
    )
    assert response.status_code == 303
    assert response["Location"] == access.case_status_link(case)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert case.reference in page.content.decode()


def test_a_wrong_code_and_a_wrong_reference_get_the_same_answer(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    code = _code(case)
    wrong_code = client.post(LOOKUP, {"reference": case.reference, "code": "2222-2222-22"})
    wrong_reference = client.post(LOOKUP, {"reference": "SH-2026-999999", "code": code})
    assert wrong_code.status_code == wrong_reference.status_code == 200
    assert _not_found_message() in wrong_code.content.decode()
    # The same page but for the reference, which comes back as typed; the code never does.
    assert CSRF.sub(b"", wrong_code.content).replace(case.reference.encode(), b"R") == CSRF.sub(
        b"", wrong_reference.content
    ).replace(b"SH-2026-999999", b"R")
    assert f'value="{case.reference}"' in wrong_code.content.decode()
    assert b"2222-2222-22" not in wrong_code.content and code.encode() not in (
        wrong_reference.content
    )


# The page


def _public_event(case: Case, *, public_note: str, actor=None, note: str = "", public=True):
    return CaseEvent.objects.create(
        case=case,
        transition="record_office_action",
        from_state=case.state,
        to_state=case.state,
        actor=actor,
        channel="admin" if actor else "system",
        note=note,
        public_note=public_note,
        public=public,
    )


def test_the_page_shows_the_state_what_is_owed_and_the_public_events(client):
    case = factories.make_case(CaseState.QUALIFIED)
    _public_event(case, public_note="Please file the application with CNIPA soon.")
    response = _open(client, case)
    html = response.content.decode()
    assert response.status_code == 200
    assert _zh(CaseState.QUALIFIED.label) in html
    filing = Timer.objects.get(case=case, step=Step.FILING)
    assert filing.party == Party.APPLICANT
    assert f'datetime="{filing.due_on.isoformat()}"' in html
    status = response.context["status"]
    assert [d.due_on for d in status.owed] == [filing.due_on]
    assert status.owed[0].days_left == (filing.due_on - timezone.localdate()).days
    assert "Please file the application with CNIPA soon." in html
    assert 'aria-current="step"' in html


def test_the_page_in_english_names_the_owed_step_its_rule_and_days_left(client):
    case = factories.make_case(CaseState.QUALIFIED)
    filing = Timer.objects.get(case=case, step=Step.FILING)
    _en(client)
    html = _open(client, case).content.decode()
    assert "You need to act:" in html and "Filing with CNIPA" in html
    assert "10 calendar days from qualification, counted as CNIPA counts" in html
    days = (filing.due_on - timezone.localdate()).days
    assert f"{days} days left" in html


def test_an_overdue_item_is_shown_as_overdue(client):
    start = timezone.now() - timedelta(days=40)
    case = factories.make_case(CaseState.QUALIFIED, start=start)
    _en(client)
    html = _open(client, case).content.decode()
    assert "owed--overdue" in html
    assert "overdue by" in html and "This time limit has passed." in html


def test_while_the_center_works_nothing_is_owed_and_its_target_date_is_shown(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    review = Timer.objects.get(case=case, step=Step.REVIEW)
    _en(client)
    html = _open(client, case).content.decode()
    assert "Nothing is owed by you right now: the center is working on it." in html
    assert f'datetime="{review.due_on.isoformat()}"' in html
    assert "5 working days from acceptance" in html


def test_internal_notes_and_staff_names_never_appear(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    examiner = factories.make_user(Role.EXAMINER, case.center, username="wang.fang.examiner")
    examiner.first_name, examiner.last_name = "Fang", "Wangexaminer"
    examiner.save()
    _public_event(
        case,
        actor=examiner,
        note="INTERNAL: applicant slow, chase by phone",
        public_note="Your claims were checked.",
    )
    _public_event(
        case,
        actor=examiner,
        note="INTERNAL second note",
        public_note="PRIVATE EVENT MESSAGE",
        public=False,
    )
    Case.objects.filter(pk=case.pk).update(examiner=examiner)
    for language in ("zh-hans", "en"):
        client.cookies["django_language"] = language
        html = _open(client, case).content.decode()
        assert "Your claims were checked." in html
        for secret in (
            "INTERNAL",
            "PRIVATE EVENT MESSAGE",
            "wang.fang.examiner",
            "Wangexaminer",
            examiner.get_full_name(),
        ):
            assert secret not in html


def test_a_granted_case_shows_the_benchmark_gross_and_net(client):
    case = factories.make_case(CaseState.GRANTED)
    Case.objects.filter(pk=case.pk).update(benchmark_gross_days=35, benchmark_net_days=27)
    response = _open(client, case)
    benchmark = response.context["status"].benchmark
    assert (benchmark.gross_days, benchmark.net_days, benchmark.applicant_days) == (35, 27, 8)
    assert benchmark.finished and benchmark.target_days == 29 and benchmark.over_by == 0
    assert response.context["status"].estimates == []


def test_an_office_action_pause_is_not_counted_against_the_benchmark(client):
    start = timezone.now() - timedelta(days=20)
    case = factories.make_case(CaseState.OFFICE_ACTION, start=start, step_days=4)
    case.refresh_from_db()
    today = timezone.localdate()
    clock = Timer.objects.get(case=case, step=Step.BENCHMARK)
    assert clock.paused_since is not None
    benchmark = _open(client, case).context["status"].benchmark
    assert benchmark.gross_days == (today - case.cnipa_filing_date).days
    assert benchmark.applicant_days == (today - clock.paused_since).days > 0
    assert not benchmark.finished


def test_a_closed_case_shows_its_outcome_plainly(client):
    case = factories.make_case(CaseState.LAPSED)
    response = _open(client, case)
    steps = response.context["status"].steps
    assert steps[-1].status == "ended" and steps[-1].current
    assert steps[-1].label == _zh(CaseState.LAPSED.label)
    assert [s.status for s in steps[:-1]] == ["done"] * 3  # submitted, review, qualified
    assert response.context["status"].owed == []


def test_a_case_rejected_by_cnipa_ended_after_examination(client):
    steps = _open(client, factories.make_case(CaseState.REJECTED)).context["status"].steps
    assert [s.status for s in steps] == ["done"] * 5 + ["ended"]
    assert steps[-1].label == _zh(CaseState.REJECTED.label)


def test_a_case_lapsed_after_the_grant_notice_shows_no_grant_step(client):
    from cases import services

    case = factories.make_case(CaseState.GRANT_NOTIFIED)
    case = services.case_lapse(
        case=case,
        actor=factories.staff_of(case),
        **factories.transition_kwargs("lapse", case, None),
    )
    _en(client)
    status = _open(client, case).context["status"]
    assert [s.label for s in status.steps] == [
        "Submitted",
        "Pre-examination",
        "Qualified",
        "Filed with CNIPA",
        "CNIPA examination",
        str(CaseState.LAPSED.label),
    ]
    assert [s.status for s in status.steps] == ["done"] * 5 + ["ended"]
    assert "Grant notified" in [entry.label for entry in status.timeline]


def test_the_current_step_is_marked_for_screen_readers(client):
    html = _open(client, factories.make_case(CaseState.CORRECTION_REQUESTED)).content.decode()
    [current] = re.findall(
        r'<li class="stepper__step[^"]*" aria-current="step">(.*?)</li>', html, re.S
    )
    assert _zh(CaseState.CORRECTION_REQUESTED.label) in current  # the review step, named
    assert html.count('aria-current="step"') == 1
    assert re.search(r"<ol class=\"stepper\">", html)


# Links


def test_a_tampered_token_answers_the_not_found_page(client):
    case = factories.make_case(CaseState.SUBMITTED)
    link = access.case_status_link(case)
    token = link.split("/")[-2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for url in (
        reverse("cases:status_page", kwargs={"token": tampered}),
        reverse("cases:status_page", kwargs={"token": "garbage"}),
        reverse(
            "cases:status_page",
            kwargs={"token": access.status_token(case_id=case.pk + 10_000, access_code_hash="")},
        ),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert f'href="{LOOKUP}"' in response.content.decode()


def test_a_link_stops_working_when_the_code_is_reset(client, django_capture_on_commit_callbacks):
    case = factories.make_case(CaseState.SUBMITTED)
    old = access.case_status_link(case)
    assert client.get(old).status_code == 200  # and the page is kept
    with django_capture_on_commit_callbacks(execute=True):
        _code(case)
    response = client.get(old)
    assert response.status_code == 404
    assert case.reference not in response.content.decode()
    assert _open(client, case).status_code == 200  # the new link works


def test_an_expired_link_answers_not_found(client, settings):
    case = factories.make_case(CaseState.SUBMITTED)
    link = access.case_status_link(case)
    settings.STATUS_LINK_MAX_AGE_DAYS = 0
    assert client.get(link).status_code == 404


def test_the_page_is_private_and_not_cached(client):
    case = factories.make_case(CaseState.SUBMITTED)
    response = _open(client, case)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"  # the token never leaves the site
    assert "noindex" in response["X-Robots-Tag"]


# Rate limits


# Windows this long never end between two posts of a test (the next boundary after
# 2001-09-09 is in 2033); the window's end is tested with the time given, in test_access.
LONG_WINDOW = 10**9


def test_too_many_lookups_from_one_address_answer_429_with_the_wait(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 3
    settings.STATUS_RATE_LIMIT_PER_REFERENCE = 100
    settings.STATUS_RATE_LIMIT_WINDOW = LONG_WINDOW
    case = factories.make_case(CaseState.SUBMITTED)
    code = case.issued_access_code
    for n in range(3):
        response = client.post(LOOKUP, {"reference": f"SH-2026-00000{n}", "code": "2222-2222-22"})
        assert response.status_code == 200
    limited = client.post(LOOKUP, {"reference": case.reference, "code": code})
    assert limited.status_code == 429
    retry_after = int(limited["Retry-After"])
    assert 1 <= retry_after <= LONG_WINDOW
    assert (
        client.post(
            LOOKUP, {"reference": case.reference, "code": code}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        == 303
    )  # another address is not limited


def test_failed_lookups_of_one_reference_are_limited_from_any_address(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 100
    settings.STATUS_RATE_LIMIT_PER_REFERENCE = 2
    settings.STATUS_RATE_LIMIT_WINDOW = LONG_WINDOW
    case = factories.make_case(CaseState.SUBMITTED)
    code = case.issued_access_code
    for n, typed in enumerate([case.reference, f" {case.reference.lower()} "]):
        response = client.post(
            LOOKUP, {"reference": typed, "code": "2222-2222-22"}, REMOTE_ADDR=f"10.0.0.{n}"
        )
        assert response.status_code == 200
    limited = client.post(
        LOOKUP, {"reference": case.reference, "code": code}, REMOTE_ADDR="10.0.0.99"
    )
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= LONG_WINDOW


def test_the_429_page_is_friendly(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 0
    _en(client)
    response = client.post(LOOKUP, {"reference": "SH-2026-000001", "code": "2222-2222-22"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Too many attempts" in html
    minutes = -(-int(response["Retry-After"]) // 60)
    unit = "minute" if minutes == 1 else "minutes"
    assert f"Please try again in {minutes} {unit}." in html


def test_the_429_page_says_one_minute_in_the_singular(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 0
    settings.STATUS_RATE_LIMIT_WINDOW = 60
    _en(client)
    response = client.post(LOOKUP, {"reference": "SH-2026-000001", "code": "2222-2222-22"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Please try again in 1 minute." in response.content.decode()


def test_the_not_found_page_says_how_long_links_last(client, settings):
    settings.STATUS_LINK_MAX_AGE_DAYS = 1
    url = reverse("cases:status_page", kwargs={"token": "not-a-token"})
    assert "进度链接的有效期为1天" in client.get(url).content.decode()
    _en(client)
    settings.STATUS_LINK_MAX_AGE_DAYS = 90
    assert "Status links stay valid for 90 days" in client.get(url).content.decode()


# Estimates


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)


def _finished_cases(center, count: int) -> None:
    """``count`` cases with the grant notified and hand-set dates (see the tests)."""
    entity = factories.make_entity(center)
    base = date(2026, 3, 2)
    for i in range(count):
        case = factories.make_case(CaseState.GRANT_NOTIFIED, entity=entity)
        Case.objects.filter(pk=case.pk).update(
            submitted_at=_noon(base),
            qualified_at=_noon(base + timedelta(days=i // 2 + 2)) - timedelta(hours=2),
            cnipa_filing_date=base + timedelta(days=15),
            grant_notice_date=base + timedelta(days=30 + i),
        )


def test_expected_grant_date_is_the_median_to_90th_percentile_after_filing(client):
    center = factories.make_center()
    _finished_cases(center, 20)
    case = factories.make_case(CaseState.FILED, center=center)
    filed = timezone.localdate() - timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(cnipa_filing_date=filed)
    # Filing to grant notice: 15, 16, ..., 34 days. percentile_cont: the median is at
    # position 9.5 -> 24.5, rounded to 25; the 90th at 17.1 -> 32.1 -> 32.
    response = _open(client, case)
    [estimate] = response.context["status"].estimates
    assert (estimate.low_days, estimate.high_days, estimate.sample_size) == (25, 32, 20)
    assert estimate.earliest == filed + timedelta(days=25)
    assert estimate.latest == filed + timedelta(days=32)
    html = response.content.decode()
    assert f'datetime="{estimate.earliest.isoformat()}"' in html
    assert f'datetime="{estimate.latest.isoformat()}"' in html


def test_expected_dates_before_filing_count_from_submission(client):
    center = factories.make_center()
    _finished_cases(center, 20)
    case = factories.make_case(CaseState.UNDER_REVIEW, center=center)
    submitted = timezone.localdate() - timedelta(days=2)
    Case.objects.filter(pk=case.pk).update(submitted_at=_noon(submitted))
    # Submission to qualification: 2, 2, 3, 3, ..., 11, 11 days (local dates): the
    # median 6.5 -> 7, the 90th 10.1 -> 10. Submission to grant notice: 30..49 -> 40, 47.
    _en(client)
    response = _open(client, case)
    qualification, grant = response.context["status"].estimates
    assert (qualification.low_days, qualification.high_days) == (7, 10)
    assert qualification.earliest == submitted + timedelta(days=7)
    assert (grant.low_days, grant.high_days) == (40, 47)
    assert grant.latest == submitted + timedelta(days=47)
    assert "Usually 7–10 days after submission" in response.content.decode()


def test_no_estimate_below_twenty_finished_cases(client):
    assert MIN_FINISHED_CASES == 20
    center = factories.make_center()
    _finished_cases(center, 19)
    case = factories.make_case(CaseState.FILED, center=center)
    _en(client)
    response = _open(client, case)
    [estimate] = response.context["status"].estimates
    assert not estimate.available and estimate.sample_size == 19
    assert "Not enough finished cases to estimate yet." in response.content.decode()


# Queries


def _page_queries(client, case: Case, events: int) -> int:
    for n in range(events):
        _public_event(case, public_note=f"Message {n}")
    case.refresh_from_db()
    link = access.case_status_link(case)
    cache.clear()
    calendar._memo = None  # built afresh: counted below
    with CaptureQueriesContext(connection) as queries:
        response = client.get(link)
    assert response.status_code == 200
    assert len(response.context["status"].timeline) >= events
    return len(queries)


@pytest.mark.parametrize("state", [CaseState.UNDER_REVIEW, CaseState.FILED])
def test_the_page_makes_as_many_queries_for_30_events_as_for_3(client, state):
    few = _page_queries(client, factories.make_case(state), 3)
    many = _page_queries(client, factories.make_case(state), 30)
    assert few == many
    # The case (with the versions), its events, its clocks, its notices, the figures
    # (cached), and the working-day calendar's rows (once per process, only for a
    # working-day clock such as the review).
    assert many <= 7


def test_an_unknown_case_is_not_found():
    with pytest.raises(Case.DoesNotExist):
        status_case(10**12)


# Languages


def test_chinese_by_default_and_english_after_choosing_it(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    link = access.case_status_link(case)
    html = client.get(link).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "进度" in html and "Progress" not in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": link}, follow=True)
    assert response.redirect_chain[-1][0] == link
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Progress" in html and "进度" not in html
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(link).content.decode()  # remembered


def test_the_timeline_gives_cnipas_dates_not_the_days_they_were_recorded(client):
    from cases import services

    start = timezone.now() - timedelta(days=40)
    case = factories.make_case(CaseState.QUALIFIED, start=start, step_days=2)
    qualified = timezone.localdate(case.qualified_at)
    filed, noticed, responded = (qualified + timedelta(days=d) for d in (1, 4, 8))
    recorded = timezone.now() - timedelta(days=20)  # each recorded days after it happened
    services.case_record_filing(
        case=case,
        actor=factories.staff_of(case),
        application_number=str(factories.make_application_number(filed.year, 1, case.pk)),
        filing_date=filed,
        at=recorded,
    )
    services.case_record_office_action(
        case=case,
        actor=factories.staff_of(case),
        notice_date=noticed,
        at=recorded + timedelta(days=3),
    )
    services.case_record_response(
        case=case,
        actor=factories.staff_of(case),
        responded_on=responded,
        at=recorded + timedelta(days=6),
    )
    _en(client)
    timeline = {entry.label: entry.on for entry in _open(client, case).context["status"].timeline}
    assert timeline["Filed with CNIPA"] == filed
    assert timeline["Office action issued by CNIPA"] == noticed
    assert timeline["Office action answered"] == responded
    assert timeline["Pre-examination qualified"] == qualified  # recorded as it happened


def test_correct_lookups_count_only_against_the_generous_address_limit(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 6
    settings.STATUS_RATE_LIMIT_FAILED_PER_ADDRESS = 2
    settings.STATUS_RATE_LIMIT_WINDOW = 10**9  # no window ends mid-test
    cases = [factories.make_case(CaseState.SUBMITTED) for _ in range(4)]
    # An agent checks four of its cases: none of them counts as a failure.
    for case in cases:
        response = client.post(
            LOOKUP, {"reference": case.reference, "code": case.issued_access_code}
        )
        assert response.status_code == 303
    for n in range(2):  # two wrong codes reach the failed limit
        wrong = {"reference": cases[n].reference, "code": "2222-2222-22"}
        assert client.post(LOOKUP, wrong).status_code == 200
    right = {"reference": cases[0].reference, "code": cases[0].issued_access_code}
    assert client.post(LOOKUP, right).status_code == 429


def test_every_lookup_counts_against_the_address_limit(client, settings):
    settings.STATUS_RATE_LIMIT_PER_ADDRESS = 3
    settings.STATUS_RATE_LIMIT_WINDOW = 10**9  # no window ends mid-test
    case = factories.make_case(CaseState.SUBMITTED)
    right = {"reference": case.reference, "code": case.issued_access_code}
    assert [client.post(LOOKUP, right).status_code for _ in range(4)] == [303, 303, 303, 429]


def test_no_date_for_the_result_while_a_correction_is_outstanding(client):
    center = factories.make_center()
    _finished_cases(center, 20)
    case = factories.make_case(CaseState.CORRECTION_REQUESTED, center=center)
    _en(client)
    response = _open(client, case)
    [grant] = response.context["status"].estimates
    assert grant.milestone == "Grant notice" and grant.available
    assert "Pre-examination result" not in response.content.decode()


def test_under_examination_the_step_does_not_repeat_the_filing(client):
    _en(client)
    steps = _open(client, factories.make_case(CaseState.FILED)).context["status"].steps
    [current] = [s for s in steps if s.current]
    assert (current.label, current.note) == ("CNIPA examination", "Awaiting CNIPA's decision")
    steps = _open(client, factories.make_case(CaseState.OFFICE_ACTION)).context["status"].steps
    [current] = [s for s in steps if s.current]
    assert current.note == str(CaseState.OFFICE_ACTION.label)


def test_the_centers_target_reads_as_one_sentence_in_each_language(client):
    case = factories.make_case(CaseState.UNDER_REVIEW)
    chinese = _open(client, case).content.decode()
    assert re.search(r"的目标日期：<time datetime=\"[-\d]+\">[^<]+</time>（[^）<]+）</p>", chinese)
    _en(client)
    english = _open(client, case).content.decode()
    assert re.search(r": <time datetime=\"[-\d]+\">[^<]+</time> \([^)<]+\)</p>", english)


def test_no_space_after_a_chinese_labels_colon(client):
    chinese = _open(client, factories.make_case(CaseState.QUALIFIED)).content.decode()
    assert "需要您办理：</strong>向" in chinese and "期限：自" in chinese
    _en(client)
    english = _open(client, factories.make_case(CaseState.QUALIFIED)).content.decode()
    assert "You need to act:</strong> Filing" in english and "Time limit: 10" in english
