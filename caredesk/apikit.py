"""Pieces every router shares: the id and version types, the error schema and its declaration
in OpenAPI."""

import datetime as dt
import re
from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, WithJsonSchema

from caredesk.errors import ValidationFailed
from caredesk.inputs import MAX_ID, parse_id


def _json_number(value):
    # Pydantic reads true as 1 and "5" as 5; JSON Schema's integer is 5 or 5.0, nothing else.
    if isinstance(value, bool | str):
        raise ValueError("Give a JSON number, not true, false or a string.")
    return value


# An integer in a JSON body. (Each Annotated lists Field before the check: the other way round
# pydantic writes the bounds into OpenAPI as unknown ge/le keys.)
JsonInt = Annotated[int, BeforeValidator(_json_number)]

# An id in a JSON body: a number the database can hold, so a larger one answers 422 instead of
# overflowing the driver.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_json_number)]

# An id in a path or a query string, where every value arrives as text: digits, same range.
IdParam = Annotated[int, Field(ge=1, le=MAX_ID)]

# The ticket version a write was based on: counted like ids, in the same range.
Version = Id

# A product's or region's code, as ProductIn and RegionIn take it.
CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=CODE_PATTERN)]

# A product or region named by its id or its code (see reference()).
IdOrCode = Annotated[Id | Code, Field(description="Id or code")]


def _drop_default(schema: dict) -> None:
    schema.pop("default", None)


def omittable(**constraints):
    """A field of a PATCH body that may be left out (and is then left unchanged) but is never
    null. Its Python default is None, which OpenAPI is not told: null is not one of its values."""
    return Field(None, json_schema_extra=_drop_default, **constraints)


_TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _time_of_day(value):
    # A wall-clock time in a calendar's own zone, so no offset (JSON Schema's `format: time`
    # is RFC 3339's, which requires one) and no fraction of a second.
    if isinstance(value, dt.time):
        return value
    if not isinstance(value, str) or not re.fullmatch(_TIME_OF_DAY, value):
        raise ValueError("Give a time of day as HH:MM or HH:MM:SS.")
    return dt.time.fromisoformat(value)


TimeOfDay = Annotated[
    dt.time,
    BeforeValidator(_time_of_day),
    WithJsonSchema(
        {"type": "string", "pattern": _TIME_OF_DAY, "description": "HH:MM or HH:MM:SS, local"}
    ),
]


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


# The `code` of an error answer made from a bare HTTP status, before any handler could say more.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "server_error",
}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    """The one error shape of the API: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare the error answers of an operation so the OpenAPI document tells the truth
    (every operation may answer 429: a token past its rate limit)."""
    return {s: ErrorOut for s in (400, 401, 422, 429, *statuses)}


def reference(model, value, field: str):
    """A product or region named by id or code, from the process's cached catalogue, else a
    422 naming the field."""
    from caredesk.directory import refdata
    from caredesk.directory.models import Product

    find = refdata.product if model is Product else refdata.region
    found = None
    if isinstance(value, str):
        pk = parse_id(value)
        found = find(pk=pk) if pk else find(code=value)
    elif type(value) is int:  # not a bool: true names no product
        found = find(pk=value)
    if found is None:
        raise ValidationFailed(fields={field: f"No {field} {value!r}."})
    return found
