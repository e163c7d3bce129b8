"""Keyset cursor pages: ``?cursor=`` from the previous page's ``next``, stable under writes.

A page is ``ORDER BY <field>, id`` (both the same direction) from where the previous
one stopped: ``(field, id)`` after the last row's. Unlike an offset, a row written
meanwhile neither repeats nor hides another one, and page 100 costs what page 1 does.
A view names its order with ``cursor_ordering(request)``: ``("-id")`` by default, and
``("updated_at")`` when a client syncs with ``updated_since`` (a case changed again
later comes back on a later page: that is the change the client must see).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_PAGE_SIZE = 500


class Cursor(BasePagination):
    page_size = 100
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any]:
        ordering = view.cursor_ordering(request) if hasattr(view, "cursor_ordering") else "-id"
        descending = ordering.startswith("-")
        field = ordering.lstrip("-")
        self.request, self.field, self.descending = request, field, descending
        self.page_size = self._page_size(request)
        position = self._decode(request.query_params.get(self.cursor_query_param))
        if position is not None:
            queryset = queryset.filter(self._after(queryset, position))
        sign = "-" if descending else ""
        order = [f"{sign}id"] if field == "id" else [f"{sign}{field}", f"{sign}id"]
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[: self.page_size]
        self.last = rows[-1] if rows else None
        return rows

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:
            return Cursor.page_size
        try:
            size = int(raw)
        except ValueError as error:
            raise ValidationError({"page_size": [_("A whole number.")]}) from error
        return max(1, min(size, MAX_PAGE_SIZE))

    def _after(self, queryset: QuerySet[Any], position: list[Any]) -> Q:
        beyond = "lt" if self.descending else "gt"
        if self.field == "id":
            return Q(**{f"id__{beyond}": position[-1]})
        value, pk = position
        if isinstance(queryset.model._meta.get_field(self.field), DateTimeField):
            value = datetime.fromisoformat(value)
        # The first term alone gives the index scan its start; the second breaks ties.
        from_value = "lte" if self.descending else "gte"
        return Q(**{f"{self.field}__{from_value}": value}) & (
            Q(**{f"{self.field}__{beyond}": value}) | Q(**{f"id__{beyond}": pk})
        )

    def _decode(self, raw: str | None) -> list[Any] | None:
        if not raw:
            return None
        try:
            position = json.loads(base64.urlsafe_b64decode(raw.encode()))
            ordering, *values = position
        except (ValueError, TypeError, binascii.Error) as error:
            raise ValidationError({"cursor": [_("Invalid cursor.")]}) from error
        expected = 1 if self.field == "id" else 2
        if ordering != self._ordering_name() or len(values) != expected:
            raise ValidationError({"cursor": [_("The cursor belongs to another ordering.")]})
        return values

    def _ordering_name(self) -> str:
        return ("-" if self.descending else "") + self.field

    def _encode(self, row: Any) -> str:
        values: list[Any] = [self._ordering_name()]
        if self.field != "id":
            value = getattr(row, self.field)
            values.append(value.isoformat() if isinstance(value, datetime) else value)
        values.append(row.pk)
        return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()

    def next_link(self) -> str | None:
        if not self.has_next or self.last is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(self.last))

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The `next` link's cursor of the previous page.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default 100, at most {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer"},
            },
        ]
