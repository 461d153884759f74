"""What the outside may hand us, checked the same way by the API, the pages and the services:
ids the database can hold, moments the calendar can reach.

A value that fails here is the caller's mistake (a 4xx, a form error), never a crash deeper in.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _

# Ids are 64-bit signed integers in SQLite and PostgreSQL (BigAutoField); a larger number
# overflows the driver instead of finding nothing.
MAX_ID = 2**63 - 1

# Moments a roster or a clock may be asked about: far from datetime's year-1 and year-9999
# edges, where shifting to another time zone or adding a day overflows.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)


def parse_id(text: str | None) -> int | None:
    """The id written in `text` as ASCII digits and in the database's range, else None.

    `str.isdigit()` alone is not enough: it is true for '²' and '٣', which int() refuses or
    reads as a different number."""
    if not text or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def moment_problem(at: dt.datetime) -> str | None:
    """Why `at` (aware) cannot be asked about, or None when it can."""
    if at.tzinfo is None:
        return str(_("Give a time zone, e.g. 2026-11-25T09:00+08:00."))
    try:
        inside = EARLIEST <= at <= LATEST
    except OverflowError:  # the offset pushes it past year 9999 or before year 1
        inside = False
    if not inside:
        return str(_("Give a time between 1970 and 9000."))
    return None
