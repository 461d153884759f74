"""Pieces every router shares: the error schema and its declaration in OpenAPI."""

from ninja import Schema


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Declare the error answers of an operation so the OpenAPI document tells the truth."""
    return {s: ErrorOut for s in (400, 401, 422, *statuses)}
