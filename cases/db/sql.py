"""Helpers for the few statements written in SQL (the sweep's set-based writes)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import connection


def one_of(column: str, ids: Collection[int]) -> tuple[str, list[object]]:
    """``column`` is one of ``ids``: SQL and its parameters.

    On PostgreSQL the ids travel as one array parameter: thousands of placeholders cost
    more to build, send and plan than the statement takes to run.
    """
    ids = sorted(ids)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [ids]
    if not ids:
        return "false", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def table(model: Any) -> str:
    """The model's table name, quoted for SQL."""
    return connection.ops.quote_name(model._meta.db_table)


def execute(sql: str, params: list[object]) -> int:
    """Run one statement; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rows(sql: str, params: list[object]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
