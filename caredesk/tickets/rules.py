"""The ticket rules every edge repeats, stated once: which statuses may be acknowledged or
reopened, the status moves staff may make by hand, and the length limits of each text. The
services enforce them; the API schemas and the page forms read the same numbers, so a text
the form accepts is never refused by the service (or the other way round)."""

from .models import Status

# The owner takes a request in hand (确认受理) while it is new, or again after a reopening.
ACKNOWLEDGEABLE = frozenset({Status.NEW, Status.REOPENED})
# The customer may reopen what was resolved, or closed (within the grace period: closing.py).
REOPENABLE = frozenset({Status.RESOLVED, Status.CLOSED})
# The moves staff make by hand; every other move has its own verb (acknowledge, resolve, …).
STATUS_MOVES = {
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_CUSTOMER}),
    Status.WAITING_CUSTOMER: frozenset({Status.IN_PROGRESS}),
    Status.REOPENED: frozenset({Status.IN_PROGRESS, Status.WAITING_CUSTOMER}),
}
MANUAL_STATUSES = (Status.IN_PROGRESS, Status.WAITING_CUSTOMER)


class Limits:
    """Characters."""

    TITLE = 200
    SITE = 200
    TEXT = 20000  # a customer's words, comments, conclusions, resolution notes, reopen reasons
    REASON = 2000  # why a hand-off is proposed or declined, why a conclusion changes
    NOTE = 5000  # a call's note, a closing remark
    PARTY = 200  # who was on a call
