"""The request id: one string that follows a piece of work from the HTTP request that caused it
into the worker's handling of the timers and messages it queued.

Held in structlog's context variables, so every log line written while it is bound carries it
(structlog's own loggers and, through the formatter's pre-chain, the standard library's).
A kernel module: the outbox and the timers read it when they write a row, the request
middleware and the worker bind it.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

KEY = "request_id"
MAX_LENGTH = 64
# What a caller's X-Request-ID may be; anything else is replaced, never logged as given.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(given: str | None) -> str:
    """The caller's id when it is a plain token of at most 64 characters, else a new one."""
    return given if given and _ACCEPTED.fullmatch(given) else new_id()


def current() -> str:
    """The id bound now, or "" outside any request or traced work."""
    return structlog.contextvars.get_contextvars().get(KEY, "")


def start(request_id: str) -> None:
    """Begin a request's context: drop whatever the thread held before, bind the id."""
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(**{KEY: request_id})


def finish() -> None:
    structlog.contextvars.clear_contextvars()


@contextmanager
def bound(request_id: str, **more) -> Iterator[None]:
    """Work done for a row that recorded `request_id` (empty: none is bound)."""
    values = {KEY: request_id, **more} if request_id else more
    with structlog.contextvars.bound_contextvars(**values):
        yield
