"""Weights and the alert threshold: one place, overridable in settings.

RISK_WEIGHTS (a dict, signal name → points at full strength) is merged over WEIGHTS;
RISK_THRESHOLD replaces THRESHOLD; RISK_ACK_MINUTES is how long an alert waits for the
service manager's acknowledgement before it goes up the ladder. The defaults were chosen on
data/tune.jsonl (docs/risk.md gives the figures): the score is the sum of each signal's
strength × its weight, capped at 100, and × RESOLVED_DAMPING while the ticket stands resolved.
"""

import contextlib
import contextvars

from django.conf import settings

WEIGHTS: dict[str, float] = {
    "handoffs": 16,
    "declined_handoffs": 8,
    "unanswered_calls": 14,
    "repeated_contacts": 14,
    "silence": 14,
    "clock_breaches": 10,
    "escalations": 6,
    "visit_unresolved": 14,
    "conclusion_changed": 14,
    "reopenings": 14,
    "repeat_problem": 8,
    "prior_complaints": 10,
    "low_surveys": 6,
    "stakeholder_not_told": 20,
    "severity": 8,
    "services_affected": 4,
    "province_customer": 2,
    "text_threat": 30,
    "text_anger": 18,
    "text_distrust": 14,
    "text_urgency": 10,
}
THRESHOLD = 35  # best F1 on data/tune.jsonl with these weights (0.69, AUC 0.83)
RESOLVED_DAMPING = 0.7
ACK_MINUTES = 30


def weights() -> dict[str, float]:
    return {**WEIGHTS, **getattr(settings, "RISK_WEIGHTS", {})}


def threshold() -> float:
    return float(getattr(settings, "RISK_THRESHOLD", THRESHOLD))


def ack_minutes() -> int:
    return int(getattr(settings, "RISK_ACK_MINUTES", ACK_MINUTES))


_inline: contextvars.ContextVar[bool | None] = contextvars.ContextVar("risk_inline", default=None)


def inline() -> bool:
    """Rescore in the event's own transaction (True) instead of by the worker (the default):
    the benchmark compares the two; the demo's load scores inline (see inline_scoring)."""
    forced = _inline.get()
    return bool(getattr(settings, "RISK_INLINE", False)) if forced is None else forced


@contextlib.contextmanager
def inline_scoring():
    """Within the block, every event rescores its ticket at once, on the clock of the event:
    a history made with the clock moved back (the demo) alerts when it would have."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)
