"""Domain refusals as HTTP: the service's own message, and the field it is about.

wrong state 409, missing permission 403, failed condition or bad input 400; a case the
caller may not see is 404 before any service runs.
"""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cases.errors import (
    ConditionNotMet,
    DomainError,
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
)

STATUS_OF: list[tuple[type[DomainError], int, str]] = [
    (TransitionNotAllowed, status.HTTP_409_CONFLICT, "wrong_state"),
    (PermissionDenied, status.HTTP_403_FORBIDDEN, "permission_denied"),
    (ConditionNotMet, status.HTTP_400_BAD_REQUEST, "condition_not_met"),
    (InvalidInput, status.HTTP_400_BAD_REQUEST, "invalid"),
]


def domain_error_response(error: DomainError) -> Response:
    code, name = next(
        ((code, name) for kind, code, name in STATUS_OF if isinstance(error, kind)),
        (status.HTTP_400_BAD_REQUEST, "refused"),
    )
    body: dict[str, Any] = {"detail": error.message, "code": name}
    field = getattr(error, "field", None)
    if field:
        body["field"] = field
        body["errors"] = {field: [error.message]}
    return Response(body, status=code)


def form_errors_response(errors: dict[str, list[str]]) -> Response:
    """A form's errors: the first one as ``detail``, every one under its field."""
    field, messages = next(iter(errors.items()))
    body = {"detail": messages[0], "code": "invalid", "errors": errors}
    if field != "__all__":
        body["field"] = field
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(error, DomainError):
        return domain_error_response(error)
    return drf_exception_handler(error, context)
