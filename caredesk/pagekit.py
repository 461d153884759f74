"""Pieces every app's pages share (the page-side twin of apikit): a refused verb becomes a form
error, under the refusal's own 4xx status."""

from caredesk.errors import DomainError


def error_status(exc: DomainError) -> int:
    return exc.status if 400 <= exc.status < 500 else 400


def add_errors(form, exc: DomainError) -> None:
    """Put a domain error's field messages on the form's fields, and its general message on
    top when no field took it or when it says more than the error's stock wording (e.g. what
    to do instead)."""
    placed = False
    for field, msg in exc.fields.items():
        if field in form.fields:
            form.add_error(field, str(msg))
            placed = True
    if not placed or exc.message is not type(exc).default_message:
        form.add_error(None, str(exc.message))
