"""The verbs of a complaint — the only code that changes one. Each locks the complaint,
checks the policy, changes it and writes the timeline entry, the audit record, the event and
any outbox rows in one transaction. Split by idea: receipt, deadlines, investigation,
response, ending."""

from ._base import ComplaintNotInStep, ComplaintStale  # noqa: F401
from .deadlines import DeadlineAlreadyMet, ExtensionTooLate, extend_deadline  # noqa: F401
from .ending import ClosureNeedsAnswer, answer_response, close, reopen, withdraw  # noqa: F401
from .investigation import add_action, add_note, record_root_cause, verify_action  # noqa: F401
from .receipt import acknowledge, open_complaint  # noqa: F401
from .response import approve_response, record_callback, respond  # noqa: F401
