"""Complaints' tables, one module per idea (the taxonomy and deadline settings, the complaint
and what happens to it), re-exported here so Django finds them."""

from .complaints import (  # noqa: F401
    ENDED_STATUSES,
    OPEN_STATUSES,
    CallBack,
    Channel,
    Closure,
    Complaint,
    ComplaintEntry,
    ComplaintTicket,
    CorrectiveAction,
    EntryKind,
    Extension,
    Impact,
    Severity,
    Source,
    Status,
)
from .taxonomy import Category, DeadlineKind, DeadlinePolicy  # noqa: F401
