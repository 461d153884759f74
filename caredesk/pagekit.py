"""Pieces every app's pages share (the page-side twin of apikit): a refused verb shows its
reason on the page, under the refusal's own 4xx status."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from caredesk.errors import DomainError, ValidationFailed


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


# Rows per page of every paged list (queue, portal).
PAGE_SIZE = 50
# The empty choice of every select on a page.
CHOOSE = _("Please choose…")


def list_page(request, fetch) -> tuple[tuple[list, str | None], int]:
    """((rows, next cursor), status) of the page ?cursor= names; a cursor the selectors refuse
    (edited, or from another list) shows the first page with the error, answering 400."""
    try:
        return fetch(request.GET.get("cursor")), 200
    except ValidationFailed as exc:
        messages.error(request, str(exc.fields.get("cursor", exc.message)))
        return fetch(None), 400
