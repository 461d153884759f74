"""Domain errors: services raise them, the API and pages turn them into answers.

Each error carries a stable machine-readable `code`, an HTTP status for the API edge and
optional per-field messages. Messages are lazy translations, so the API and pages show them in
the reader's language.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, fields: dict[str, str] | None = None):
        self.message = message if message is not None else self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "validation_failed"
    status = 422
    default_message = _("Some fields are not valid.")


class NotFound(DomainError):
    """Also used for objects the actor may not see, so existence never leaks."""

    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(DomainError):
    code = "conflict"
    status = 409
    default_message = _("The request conflicts with the current state.")


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _(
        "Someone changed this ticket after you loaded it. Reload it and apply your change again."
    )


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not possible in the ticket's current status.")
