"""What the public status page shows: plain values and the sentences made from them.

The sentences with values in them are put together here (``target_html``,
``dates_html``, ``days_left_text``…), with the same gettext as the template's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.models import CaseState, Party
from cases.selectors.status.reading import NoticeRow
from protection_center.jinja_env import date_format

# Said to screen readers after each step's name (the page shows it with colour and icons).
STEP_STATUS_TEXT: dict[str, Promise] = {
    "done": gettext_lazy("(done)"),
    "current": gettext_lazy("(current step)"),
    "ended": gettext_lazy("(the case ended here)"),
    "upcoming": gettext_lazy("(not yet)"),
}


def _date(value: date) -> str:
    # The templates' own date filter: remembered per day and language.
    return date_format(value)


def _time_html(value: date) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), _date(value))


@dataclass(frozen=True)
class PathStep:
    label: str
    status: str  # done, current, upcoming, or ended (a terminal outcome)
    on: date | None = None
    note: str = ""
    current: bool = False  # where the case is now (aria-current="step")

    @property
    def status_text(self) -> str:
        return str(STEP_STATUS_TEXT[self.status])


@dataclass(frozen=True)
class Deadline:
    """A running clock: what is awaited, from whom, by when, and the rule behind it."""

    step_label: str
    party: str
    due_on: date
    days_left: int
    working: bool
    rule: str
    estimated: bool

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_left_text(self) -> str:
        n = abs(self.days_left)
        if self.overdue:
            if self.working:
                return ngettext(
                    "overdue by %(n)d working day", "overdue by %(n)d working days", n
                ) % {"n": n}
            return ngettext("overdue by %(n)d day", "overdue by %(n)d days", n) % {"n": n}
        if self.days_left == 0:
            return _("due today")
        if self.working:
            return ngettext("%(n)d working day left", "%(n)d working days left", n) % {"n": n}
        return ngettext("%(n)d day left", "%(n)d days left", n) % {"n": n}

    @property
    def target_text(self) -> str:
        """What the center aims to finish by this date (for the center's and CNIPA's clocks)."""
        if self.party == Party.OFFICE:
            return _("The center's target for the grant notice:")
        return _("The center's target for “%(step)s”:") % {"step": self.step_label}

    @property
    def target_html(self) -> SafeString:
        """The target, its date and its rule, as one sentence (Chinese spaces and brackets
        differ from English ones)."""
        sentence = conditional_escape(_("%(target)s %(date)s (%(rule)s)"))
        return mark_safe(
            sentence
            % {
                "target": conditional_escape(self.target_text),
                "date": _time_html(self.due_on),
                "rule": conditional_escape(self.rule),
            }
        )


@dataclass(frozen=True)
class TimelineEntry:
    on: date  # the day it happened: CNIPA's date where there is one, else the day recorded
    label: str
    message: str


@dataclass(frozen=True)
class BenchmarkProgress:
    """Days from CNIPA filing, against the center's benchmark, gross and net of the
    applicant's own time (office-action responses)."""

    target_days: int
    gross_days: int
    net_days: int
    finished: bool

    @property
    def applicant_days(self) -> int:
        return self.gross_days - self.net_days

    @property
    def over_by(self) -> int:
        return max(0, self.net_days - self.target_days)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.net_days / self.target_days)) if self.target_days else 100

    @property
    def headline(self) -> str:
        values = {"net": self.net_days, "target": self.target_days}
        if self.finished:
            return (
                _(
                    "Grant notified after %(net)s days, against the center's benchmark of %(target)s days."
                )
                % values
            )
        return _("Day %(net)s of the center's %(target)s-day benchmark.") % values

    @property
    def over_text(self) -> str:
        return ngettext(
            "%(days)s day over the benchmark.", "%(days)s days over the benchmark.", self.over_by
        ) % {"days": self.over_by}


@dataclass(frozen=True)
class Estimate:
    """When a milestone usually comes: the 50th–90th percentile of finished cases."""

    milestone: str
    basis: str  # "submission" or "filing": what the days count from
    sample_size: int
    low_days: int | None = None
    high_days: int | None = None
    earliest: date | None = None
    latest: date | None = None
    later_than_usual: bool = False

    @property
    def available(self) -> bool:
        return self.earliest is not None

    @property
    def range_text(self) -> str:
        values = {"low": self.low_days, "high": self.high_days}
        if self.basis == "filing":
            return _("Usually %(low)d–%(high)d days after the CNIPA filing date") % values
        return _("Usually %(low)d–%(high)d days after submission") % values

    @property
    def dates_html(self) -> SafeString:
        assert self.earliest is not None and self.latest is not None
        sentence = conditional_escape(_("Between %(earliest)s and %(latest)s"))
        return mark_safe(
            sentence % {"earliest": _time_html(self.earliest), "latest": _time_html(self.latest)}
        )

    @property
    def basis_text(self) -> str:
        return ngettext(
            "%(range)s, going by %(cases)s finished case of this center and patent type.",
            "%(range)s, going by %(cases)s finished cases of this center and patent type.",
            self.sample_size,
        ) % {"range": self.range_text, "cases": self.sample_size}


@dataclass(frozen=True)
class Contact:
    name: str
    address: str
    phone: str
    email: str
    website: str


@dataclass(frozen=True)
class CaseStatus:
    reference: str
    title: str
    applicant: str
    patent_type_label: str
    application_number: str
    submitted_on: date
    state: str
    state_label: str
    closed: bool
    steps: list[PathStep]
    owed: list[Deadline]
    waiting_on: list[Deadline]
    timeline: list[TimelineEntry]
    notices: list[NoticeRow]
    benchmark: BenchmarkProgress | None
    estimates: list[Estimate]
    contact: Contact
    calendar_estimated: bool
    today: date

    @property
    def granted(self) -> bool:
        return self.state == CaseState.GRANTED

    @property
    def waiting_party(self) -> str:
        """Who works on the case while the applicant owes nothing: center or office."""
        return self.waiting_on[0].party if self.waiting_on else ""

    @property
    def heading(self) -> str:
        return _("Case %(reference)s") % {"reference": self.reference}

    @property
    def contact_note(self) -> str:
        return _("Quote the case reference %(reference)s when you contact the center.") % {
            "reference": self.reference
        }

    @property
    def as_of_text(self) -> str:
        return _(
            "As of %(today)s. Keep this link private: anyone who has it can read this page."
        ) % {"today": _date(self.today)}
