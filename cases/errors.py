"""Domain errors raised by the services; their messages are shown to staff as they are."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; ``str(error)`` is a translated, user-facing message."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = str(message)


class TransitionNotAllowed(DomainError):
    """The transition does not exist from the case's current state."""


class PermissionDenied(DomainError):
    """The actor's role or center does not allow this action."""


class ConditionNotMet(DomainError):
    """A transition condition failed (e.g. the applicant's registration is not approved)."""


class InvalidInput(DomainError):
    """Input to a service was invalid (e.g. a malformed CNIPA application number)."""

    def __init__(self, message: object, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
