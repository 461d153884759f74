"""What a figure is asked about: a period in Shanghai time (a month `2026-05` or a half-year
`2026H1`/`2026H2`), and optionally a customer (with or without its branches), a serving office,
a product and a partner organisation. Parsed once here; pages, the API and the report command
all build a `Filters` the same way."""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from caredesk.directory import refdata
from caredesk.errors import ValidationFailed

SHANGHAI = ZoneInfo("Asia/Shanghai")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_HALF = re.compile(r"^(\d{4})H([12])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime  # aware, inclusive
    end: dt.datetime  # aware, exclusive

    @property
    def is_half_year(self) -> bool:
        return "H" in self.label


def _first_of(year: int, month: int) -> dt.datetime:
    if month > 12:
        year, month = year + 1, month - 12
    return dt.datetime(year, month, 1, tzinfo=SHANGHAI)


def parse_period(text: str) -> Period:
    """`2026-05` → May 2026; `2026H1` → January to June; `2026H2` → July to December."""
    value = (text or "").strip()
    # Year 0 and the end of year 9999 are outside what a datetime holds (a 500, once).
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and 1 <= year <= 9998:
            return Period(value, _first_of(year, month), _first_of(year, month + 1))
    if (m := _HALF.match(value)) and 1 <= int(m[1]) <= 9998:
        year, half = int(m[1]), int(m[2])
        first = 1 if half == 1 else 7
        return Period(f"{year}H{half}", _first_of(year, first), _first_of(year, first + 6))
    raise ValidationFailed(
        fields={"period": _("Give a month like 2026-05 or a half-year like 2026H1.")}
    )


@dataclass(frozen=True)
class Filters:
    period: Period
    customer_id: int | None = None
    with_branches: bool = True
    office_id: int | None = None
    product_id: int | None = None
    partner_id: int | None = None

    def customer_ids(self) -> tuple[int, ...] | None:
        if self.customer_id is None:
            return None
        if self.with_branches:
            return refdata.subtree(self.customer_id)
        return (self.customer_id,)

    def office_ids(self) -> tuple[int, ...] | None:
        return None if self.office_id is None else refdata.subtree(self.office_id)

    def partner_ids(self) -> tuple[int, ...] | None:
        return None if self.partner_id is None else refdata.subtree(self.partner_id)

    def as_query(self) -> dict[str, str]:
        """The filters as URL parameters (the GET form's names)."""
        query = {"period": self.period.label}
        for name in ("customer_id", "office_id", "product_id", "partner_id"):
            value = getattr(self, name)
            if value is not None:
                query[name.removesuffix("_id")] = str(value)
        if self.customer_id is not None and not self.with_branches:
            query["branches"] = "0"
        return query


def _int_or_none(params, name: str, errors: dict) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = _("Choose one from the list.")
        return None
    return int(raw)


def filters_from(params, *, default_period: str) -> Filters:
    """A Filters from a GET query (or any mapping); bad values raise ValidationFailed."""
    errors: dict[str, str] = {}
    try:
        period = parse_period(params.get("period") or default_period)
    except ValidationFailed as exc:
        errors.update(exc.fields)
        period = None
    values = {
        n: _int_or_none(params, n, errors) for n in ("customer", "office", "product", "partner")
    }
    for name in ("customer", "office", "partner"):
        if values[name] is not None and refdata.organisation(values[name]) is None:
            errors[name] = _("Choose one from the list.")
    if values["product"] is not None and refdata.product(pk=values["product"]) is None:
        errors["product"] = _("Choose one from the list.")
    if errors:
        raise ValidationFailed(fields=errors)
    return Filters(
        period=period,
        customer_id=values["customer"],
        with_branches=(params.get("branches") or "1") != "0",
        office_id=values["office"],
        product_id=values["product"],
        partner_id=values["partner"],
    )
