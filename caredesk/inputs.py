"""What the outside may hand us, checked the same way by the API, the pages and the services:
ids the database can hold, moments the calendar can reach, text with something in it to read.

A value that fails here is the caller's mistake (a 4xx, a form error), never a crash deeper in.
"""

import datetime as dt
import unicodedata

from django.utils.translation import gettext_lazy as _

# Ids are 64-bit signed integers in SQLite and PostgreSQL (BigAutoField); a larger number
# overflows the driver instead of finding nothing.
MAX_ID = 2**63 - 1

# Moments a roster or a clock may be asked about: far from datetime's year-1 and year-9999
# edges, where shifting to another time zone or adding a day overflows.
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)

# Characters that show nothing on their own: controls, format characters (U+200B zero width
# space, U+200E left-to-right mark, U+FEFF byte order mark), surrogates, spaces and
# separators, and combining marks with no letter to sit on. Unassigned code points are not
# among them: a newer emoji than this Python knows is still something to read.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})

UNSTORABLE = _("Remove the NUL (\\x00) or unpaired surrogate character from this text.")


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


def storable(text: str) -> bool:
    """False when `text` holds what no text column takes: a NUL (PostgreSQL refuses it) or
    half of a UTF-16 surrogate pair, which JSON's \\ud800 escapes can smuggle in and UTF-8
    cannot encode."""
    if "\x00" in text:
        return False
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def is_blank(text: str) -> bool:
    """True when nothing in `text` would show: only whitespace, invisible and format
    characters, or combining marks with nothing to combine with."""
    return all(unicodedata.category(c) in _INVISIBLE for c in text)


def text_problem(value: str | None, *, required: bool, max_length: int | None = None) -> str | None:
    """Why `value` cannot be stored as text a person reads, or None when it can.

    What cannot be stored is refused everywhere (see storable); a required text must contain
    at least one visible character."""
    text = value or ""
    if not storable(text):
        return str(UNSTORABLE)
    if required and is_blank(text):
        return str(_("This field is required."))
    if max_length and len(text) > max_length:
        return str(_("At most %(n)d characters.") % {"n": max_length})
    return None


# The encodings a text file from a Chinese office comes in: UTF-8 (with or without Excel's
# BOM) or GB18030, which Chinese Excel writes for "CSV".
TEXT_FILE_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text_file(raw: bytes) -> str | None:
    """A spreadsheet export's bytes as text, or None when it is in neither encoding."""
    for encoding in TEXT_FILE_ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
