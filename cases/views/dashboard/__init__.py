"""The manager dashboard (``/dashboard/``) and its CSV and XLSX exports.

Managers and center administrators see their own center; superusers choose a center or
all of them; everyone else gets 403, and anonymous users go to the admin login. The
figures come from ``selectors.dashboard``; ``forms`` parses the filters; ``tables``
lays the figures out. The views only
read: the summary table behind the cohort figures is refreshed by a Celery task, and
the page says when.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cases.permissions import user_center_id
from cases.selectors.dashboard import Dashboard, dashboard_figures
from cases.views.dashboard.forms import DashboardFilterForm
from cases.views.dashboard.tables import (
    Links,
    Table,
    chart_data,
    count_cell,
    dashboard_tables,
    days_cell,
    percent_cell,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Views


def may_view_dashboard(user: Any) -> bool:
    """Superusers, and managers and center administrators who work for a center."""
    if user.is_superuser:
        return True
    return user.has_perm("cases.view_dashboard") and user_center_id(user) is not None


def _manager_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not may_view_dashboard(request.user):
            raise PermissionDenied
        return view(request)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_GET(wrapped)


def _figures(request: HttpRequest) -> tuple[DashboardFilterForm, Dashboard | None, list[Table]]:
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET, user=request.user, today=today)
    if not form.is_valid():
        return form, None, []
    figures = dashboard_figures(form.filters(), today=today)
    links = Links(figures.filters, superuser=request.user.is_superuser)
    return form, figures, dashboard_tables(figures, links=links, today=today)


@_manager_only
def dashboard(request: HttpRequest) -> HttpResponse:
    """The page: the filter form, key figures, charts, and every table."""
    form, figures, tables = _figures(request)
    context: dict[str, Any] = {"form": form, "figures": figures, "tables": tables}
    if figures is not None:
        headline = figures.total if len(figures.by_type) > 1 else figures.by_type[0]
        context["kpis"] = [
            (_("Received"), count_cell(headline.received).text),
            (_("Acceptance rate"), percent_cell(headline.acceptance_rate).text),
            (_("Center review, median (working days)"), days_cell(headline.review.p50).text),
            (_("Granted within benchmark (gross)"), percent_cell(headline.within_gross_share).text),
        ]
        context["table_map"] = {table.key: table for table in tables}
        context["charts"] = chart_data(figures)
        context["export_query"] = request.GET.urlencode()
        context["center_name"] = figures.center_name or _("All centers")
        context["summary_time"] = _local_time(figures.summary_as_of, today=timezone.localdate())
    return render(request, "cases/dashboard/index.html", context)


def _local_time(moment: datetime | None, *, today: date) -> str:
    """``14:05`` in local time (``TIME_ZONE``), with the date when not today; "" for None."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"


def _filename(figures: Dashboard, extension: str) -> str:
    f = figures.filters
    center = figures.center_code or "all"
    return f"dashboard-{center}-{f.start.isoformat()}-{f.end.isoformat()}.{extension}"


def _export_value(cell: Any) -> Any:
    """The cell's value; text that a spreadsheet would run as a formula is quoted."""
    if cell.value is None:
        return ""
    if not cell.numeric and str(cell.value).startswith(("=", "+", "-", "@")):
        return "'" + str(cell.value)
    return cell.value


def _filter_rows(figures: Dashboard) -> list[list[str]]:
    """What the export covers, every filter named: written above the figures."""
    from django.contrib.auth import get_user_model

    from cases.choices import PatentType
    from cases.people import staff_display_name

    f = figures.filters
    examiner = (
        staff_display_name(get_user_model().objects.filter(pk=f.examiner_id).first())
        if f.examiner_id is not None
        else _("all")
    )
    return [
        [_("Filters")],
        [_("center"), figures.center_code or _("all centers")],
        [_("period"), f"{f.start.isoformat()} – {f.end.isoformat()}"],
        [_("patent type"), str(PatentType(f.patent_type).label) if f.patent_type else _("all")],
        [_("technical field"), f.field or _("all")],
        [_("examiner"), examiner or "—"],
    ]


def _width(value: Any) -> int:
    """Columns wide enough for Chinese text: a CJK character takes two places."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in str(value or ""))


def _bad_filters(form: DashboardFilterForm) -> HttpResponse:
    messages = [str(m) for errors in form.errors.values() for m in errors]
    return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")


@_manager_only
def dashboard_export_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables, one section each, as UTF-8 CSV with a BOM (for Excel)."""
    form, figures, tables = _figures(request)
    if figures is None:
        return _bad_filters(form)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerows(_filter_rows(figures))
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([_export_value(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "csv")}"'
    return response


def _sheet_title(title: str, taken: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "Sheet"
    name, n = cleaned, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = cleaned[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


@_manager_only
def dashboard_export_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables, one sheet each, as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    form, figures, tables = _figures(request)
    if figures is None:
        return _bad_filters(form)
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    filters = workbook.create_sheet(_sheet_title(_("Filters"), taken))
    for row in _filter_rows(figures):
        filters.append(row)
    filters["A1"].font = Font(bold=True)
    filters.column_dimensions["A"].width = 16
    filters.column_dimensions["B"].width = 40
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        sheet.append(table.columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([None if cell.value is None else _export_value(cell) for cell in row])
        sheet.freeze_panes = "B2"
        for column in sheet.columns:
            for cell in column:
                if isinstance(cell.value, date | datetime):
                    cell.number_format = "yyyy-mm-dd"
            width = max(_width(c.value) if not c.is_date else 10 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "xlsx")}"'
    return response
