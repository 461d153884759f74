"""Pieces every app's pages share (the page-side twin of apikit): a refused verb shows its
reason on the page, under the refusal's own 4xx status."""

from django.contrib import messages

from caredesk.errors import DomainError


def error_status(exc: DomainError) -> int:
    return exc.status if 400 <= exc.status < 500 else 400


def add_field_errors(form, exc: DomainError) -> bool:
    """Mark the form's fields the error names; True when at least one took a message."""
    placed = False
    for field, msg in exc.fields.items():
        # A hidden field (the version of a stale edit) has nowhere to show its error, and its
        # value is data rather than words: the general message says it instead.
        if field in form.fields and not form.fields[field].widget.is_hidden:
            form.add_error(field, str(msg))
            placed = True
    return placed


def add_errors(request, form, exc: DomainError) -> None:
    """A refused verb on a page: its reason on top of the page, the fields it names marked.

    On top, because the form's own section may be gone from the fresh page: a ticket resolved
    meanwhile has no actions left, an editor who lost the right sees no edit form."""
    add_field_errors(form, exc)
    messages.error(request, str(exc.message))
