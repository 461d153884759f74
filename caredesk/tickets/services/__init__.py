"""The domain verbs for tickets — the only code that changes ticket state.

Every verb checks the policy, changes state, and writes its timeline entry and audit record in
one transaction. A verb that takes `version` refuses to act on a ticket someone else changed
since the caller loaded it (StaleVersion → HTTP 409).

- opening.py   open_ticket, route (the responsibility matrix)
- working.py   acknowledge, edit_ticket, add_comment, log_call, set_conclusion, resolve,
               confirm_closure, reopen
- handoffs.py  propose_handoff, accept_handoff, decline_handoff, cancel_handoff
- importing.py import_ticket, import_tickets (history from the old system: no clock, no
               message)

Work apps above the core lock a ticket with lock_ticket and tell what they did on it with
record_work (a timeline entry, a new version, an event).
"""

from ._base import locked as lock_ticket
from .handoffs import (
    HandoffAlreadyPending,
    HandoffNotPending,
    accept_handoff,
    cancel_handoff,
    decline_handoff,
    propose_handoff,
)
from .importing import PastTicket, import_ticket, import_tickets
from .opening import NoOwnerAvailable, open_ticket, route
from .working import (
    acknowledge,
    add_comment,
    confirm_closure,
    edit_ticket,
    log_call,
    record_system_event,
    record_system_events,
    record_work,
    reopen,
    resolve,
    set_clock_summary,
    set_conclusion,
)

__all__ = [
    "HandoffAlreadyPending",
    "HandoffNotPending",
    "NoOwnerAvailable",
    "PastTicket",
    "accept_handoff",
    "acknowledge",
    "add_comment",
    "cancel_handoff",
    "confirm_closure",
    "decline_handoff",
    "edit_ticket",
    "import_ticket",
    "import_tickets",
    "log_call",
    "lock_ticket",
    "record_system_event",
    "record_system_events",
    "record_work",
    "open_ticket",
    "propose_handoff",
    "reopen",
    "resolve",
    "route",
    "set_clock_summary",
    "set_conclusion",
]
