"""Pieces every router shares: the error schema and its declaration in OpenAPI."""

from ninja import Schema

from caredesk.errors import ValidationFailed


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare the error answers of an operation so the OpenAPI document tells the truth."""
    return {s: ErrorOut for s in (400, 401, 422, *statuses)}


def reference(model, value, field: str):
    """A product or region named by id or code, from the process's cached catalogue, else a
    422 naming the field."""
    from caredesk.directory import refdata
    from caredesk.directory.models import Product

    find = refdata.product if model is Product else refdata.region
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = find(pk=int(value))
    elif isinstance(value, str):
        found = find(code=value)
    if found is None:
        raise ValidationFailed(fields={field: f"No {field} {value!r}."})
    return found
