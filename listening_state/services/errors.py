"""Domain exceptions raised by services and translated to responses by the web layer."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of every domain error."""


class PermissionDenied(ServiceError):
    """The actor may not do this."""


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know that it does."""


class InvalidTransition(ServiceError):
    """The object is not in a state that allows this action."""


class ValidationFailed(ServiceError):
    """Input was rejected; `errors` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))
        self.errors = errors
