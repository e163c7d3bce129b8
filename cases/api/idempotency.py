"""``Idempotency-Key``: a retried POST gets the first answer instead of a second change.

The key's row (user, key) is inserted before the request runs, in the transaction the
request's write runs in. A concurrent retry's insert waits on the unique key until the
first commits, then finds its row and answers what the first answered; had the first
failed (an error, a lost connection), its row is rolled back with it and the retry runs
as new. A key reused for a different request (method, path or body) is refused (422).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from cases.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def request_fingerprint(request: Request) -> str:
    """What makes two requests the same one: method, path, fields and files."""
    data = request.data
    if hasattr(data, "lists"):
        fields = {key: values for key, values in data.lists() if key not in request.FILES}
    else:
        fields = dict(data)
    files = {
        name: [(f.name, f.size) for f in request.FILES.getlist(name)] for name in request.FILES
    }
    text = json.dumps(
        [request.method, request.path, fields, files], sort_keys=True, default=str
    ).encode()
    return hashlib.sha256(text).hexdigest()


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap a view's ``post``: with the header, its first answer is kept and replayed."""

    @functools.wraps(handler)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return Response(
                {"detail": _("The Idempotency-Key is too long."), "code": "invalid"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                # Another request with this key committed (we waited for it): its answer.
                first = IdempotentRequest.objects.get(user=request.user, key=key)
                if first.fingerprint != fingerprint:
                    return Response(
                        {
                            "detail": _("This Idempotency-Key was used for a different request."),
                            "code": "idempotency_key_reused",
                        },
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                    )
                return Response(
                    first.body, status=first.status_code, headers={"Idempotent-Replayed": "true"}
                )
            response = handler(view, request, *args, **kwargs)
            row.status_code = response.status_code
            row.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            row.save(update_fields=["status_code", "body"])
        return response

    return wrapped
