"""The one tree of errors the domain raises; the platform maps it to HTTP statuses in one place."""

from __future__ import annotations

from uuid import UUID


class MendError(Exception):
    """Raised when a command cannot be carried out; the root of every domain error."""


class InvalidValue(MendError):
    """Raised when a value is out of range, of the wrong kind, or not one of its closed set."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class RuleBroken(MendError):
    """Raised when a command is well-formed but breaks a rule of the record (e.g. a closed case)."""


class NotFound(MendError):
    """Raised when a thing does not exist or the actor may not know that it does."""


class Forbidden(MendError):
    """Raised when the actor can see a thing but their role may not take this action on it."""


class NotAuthenticated(MendError):
    """Raised when credentials are missing, wrong, expired or revoked."""


class WrongCredentials(NotAuthenticated):
    """Raised when an email and password do not match; names the account when there is one,
    so that the attempt can be recorded for its owners (after the answer has gone out)."""

    def __init__(self, message: str, account_id: UUID | None):
        super().__init__(message)
        self.account_id = account_id


class AlreadyTaken(MendError):
    """Raised when a unique value (an email, a tenant slug) is already registered."""


class ConcurrentWrite(MendError):
    """Raised when a save kept colliding with other writers to the same record and was given up."""
