"""Keyset pages of tickets: the cursors a list gives out, and each row's reference data filled
from the process's cached catalogue. Shared by the selectors and the search index's pages."""

import base64
import binascii

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.errors import ValidationFailed
from caredesk.inputs import parse_id

from .models import Ticket


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"t:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The last id of the previous page; a cursor we never gave out (or one naming an id the
    database cannot hold) is a ValidationFailed, not an overflow in the query."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raw = ""
    prefix, _sep, value = raw.partition(":")
    last_id = parse_id(value) if prefix == "t" else None
    if last_id is None:
        raise ValidationFailed(fields={"cursor": str(_("Not a page link this list gave out."))})
    return last_id


def attach_reference(rows: list[Ticket]) -> list[Ticket]:
    """Fill each row's customer, product and region from the process's cached copy."""
    orgs, products, regions = {}, {}, {}
    for t in rows:
        if t.customer_org_id not in orgs:
            orgs[t.customer_org_id] = refdata.organisation(t.customer_org_id)
        if t.product_id not in products:
            products[t.product_id] = refdata.product(pk=t.product_id)
        if t.region_id not in regions:
            regions[t.region_id] = refdata.region(pk=t.region_id)
        t.customer_org = orgs[t.customer_org_id]
        t.product = products[t.product_id]
        t.region = regions[t.region_id]
    return rows


def page_of(
    qs: QuerySet[Ticket], cursor: str | None, limit: int
) -> tuple[list[Ticket], str | None]:
    """Keyset pagination on id: stable under inserts, no OFFSET scans."""
    if cursor:
        qs = qs.filter(id__lt=decode_cursor(cursor))
    rows = attach_reference(list(qs[: limit + 1]))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)
