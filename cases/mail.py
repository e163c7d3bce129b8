"""The console e-mail backend of local runs (bin/run): each message logged at INFO as
its recipient and subject in plain text, then its body, instead of the MIME source
(whose subject is an encoded ``=?utf-8?b?…?=`` line nobody can read)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger("cases.mail")


class ReadableConsoleBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        for message in email_messages:
            attached = ", ".join(name for name, *_rest in message.attachments if name)
            logger.info(
                "E-mail to %s: %s%s\n%s",
                ", ".join(message.to),
                message.subject,
                f" [attached: {attached}]" if attached else "",
                message.body,
            )
        return len(email_messages)
