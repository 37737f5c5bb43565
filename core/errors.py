"""The application's error types. The API maps them to HTTP in core.api.errors; pages to messages."""

from __future__ import annotations


class ApplicationError(Exception):
    """A rule of the domain refused the request: 400 in the API, an inline error on a page.

    `field_errors` maps field names to lists of messages, as DRF does, when the error belongs to fields.
    """

    def __init__(self, message: str = "", *, field_errors: dict[str, list[str]] | None = None):
        self.message = message
        self.field_errors = field_errors or {}
        super().__init__(message or "; ".join(f"{k}: {' '.join(v)}" for k, v in self.field_errors.items()))

    def as_dict(self) -> dict:
        if self.field_errors:
            return dict(self.field_errors)
        return {"detail": self.message}


class ConflictError(Exception):
    """Someone else saved the row since it was read (optimistic lock): 409 with the current version."""

    def __init__(self, *, current_version: int | None, message: str | None = None):
        self.current_version = current_version
        self.message = message or "This record was changed by someone else. Reload it and try again."
        super().__init__(self.message)


class NotFoundError(Exception):
    """Missing, or of another school: the same answer for both (404)."""


class PermissionDeniedError(Exception):
    """Authenticated, in the right school, but not allowed (403)."""

    def __init__(self, message: str = "You do not have permission to do this."):
        self.message = message
        super().__init__(message)
