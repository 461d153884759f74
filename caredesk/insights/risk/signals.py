"""The risk signals: each a small function over a History as it stands at `now` (the time of
its last event), returning its strength in 0..1 and what it saw. Strength 1 is a full sign;
the weights in config.py turn strengths into points.

Every function reads only the events it is given: replaying a history one event at a time
never looks ahead.
"""

import datetime as dt
from dataclasses import dataclass

from . import lexicon, text
from .history import Event, History

HANDOFF_WINDOW = dt.timedelta(hours=1)
UNANSWERED = frozenset({"no_answer", "busy", "voicemail", "phone_off"})
# The customer hears from us by a public reply, an answered call, a visit or a resolution.
STAFF_CONTACT = frozenset({"staff_reply", "site_visit_left", "resolved", "acknowledged"})
# How long a customer waits, by severity, before silence starts to count (minutes).
PATIENCE = {"P1": 30, "P2": 90, "P3": 240, "P4": 720}
SEVERITY = {"P1": 1.0, "P2": 0.6, "P3": 0.25, "P4": 0.0}


@dataclass(frozen=True)
class Reading:
    strength: float  # 0..1
    detail: str = ""  # what was seen, for the reasons ("2 in 60 min", "投诉, 工信部")
    words: tuple[str, ...] = ()


NONE = Reading(0.0)


def _cap(x: float) -> float:
    return max(0.0, min(1.0, x))


def _now(h: History) -> dt.datetime:
    return h.events[-1].at if h.events else h.opened_at


def _is_staff_contact(e: Event) -> bool:
    if e.kind == "staff_reply":
        return e.public
    if e.kind == "call":
        return e.direction == "outbound" and e.outcome == "answered"
    return e.kind in STAFF_CONTACT


def _is_customer_contact(e: Event) -> bool:
    if e.kind == "call":
        return e.direction == "inbound"
    return e.kind in ("customer_message", "reopened")


def handoffs(h: History) -> Reading:
    """Hand-offs proposed in the last hour: a request passed on twice in half an hour is the
    seed's first case."""
    since = _now(h) - HANDOFF_WINDOW
    n = sum(1 for e in h.events if e.kind == "handoff_proposed" and e.at >= since)
    return Reading(_cap(n / 2), f"{n}") if n else NONE


def declined_handoffs(h: History) -> Reading:
    """Hand-offs declined at any time: nobody wanted it."""
    n = sum(1 for e in h.events if e.kind == "handoff_declined")
    return Reading(_cap(n), f"{n}") if n else NONE


def unanswered_calls(h: History) -> Reading:
    """Our calls that did not reach anyone and the customer's calls we did not answer: no
    answer, busy, voicemail; a phone switched off counts one and a half."""
    n = 0.0
    for e in h.events:
        if e.kind == "call" and e.outcome in UNANSWERED:
            n += 1.5 if e.outcome == "phone_off" else 1.0
    return Reading(_cap(n / 2), f"{n:g}") if n else NONE


def repeated_contacts(h: History) -> Reading:
    """The customer's calls and messages since we last spoke to them, beyond the first: the
    customer calling again and again without a reply."""
    n = 0
    for e in reversed(h.events):
        if _is_staff_contact(e):
            break
        if _is_customer_contact(e):
            n += 1
    return Reading(_cap((n - 1) / 2), f"{n}") if n > 1 else NONE


def silence(h: History) -> Reading:
    """How long the customer has waited for a word from us (since their message after our
    last contact), measured against the patience their severity allows; nothing once the
    ticket is resolved or closed."""
    last_staff, waiting_since = None, None
    for e in h.events:
        if _is_staff_contact(e):
            last_staff, waiting_since = e.at, None
        elif _is_customer_contact(e) and waiting_since is None:
            waiting_since = e.at
        if e.kind in ("resolved", "closed"):
            waiting_since = None
        elif e.kind == "reopened" and waiting_since is None:
            waiting_since = e.at
    if waiting_since is None:
        return NONE
    minutes = (_now(h) - waiting_since).total_seconds() / 60
    ratio = minutes / PATIENCE.get(h.severity, 240)
    strength = _cap((ratio - 0.5) / 1.5)
    del last_staff
    return Reading(strength, f"{minutes:.0f}") if strength > 0 else NONE


def clock_breaches(h: History) -> Reading:
    """Service-level clocks breached (acknowledge, respond, restore, resolve)."""
    clocks = [e.clock or "?" for e in h.events if e.kind == "clock_breached"]
    return Reading(_cap(len(clocks) / 2), ", ".join(clocks)) if clocks else NONE


def escalations(h: History) -> Reading:
    """Escalations fired, by the highest level reached."""
    levels = [max(e.level, 1) for e in h.events if e.kind == "escalated"]
    return Reading(_cap(max(levels) / 3), f"{max(levels)}") if levels else NONE


def visit_unresolved(h: History) -> Reading:
    """The latest site visit left without a resolution, and nothing resolved since."""
    for e in reversed(h.events):
        if e.kind == "resolved":
            return NONE
        if e.kind == "site_visit_left":
            return Reading(1.0) if e.resolved is False else NONE
    return NONE


def conclusion_changed(h: History) -> Reading:
    """The technical answer changed: once is a warning, twice is contradicting answers."""
    n = sum(1 for e in h.events if e.kind == "conclusion_changed")
    return Reading(_cap(n / 2), f"{n}") if n else NONE


def reopenings(h: History) -> Reading:
    """Reopened after a resolution, or the customer writing again after one."""
    n, ended = 0, False
    for e in h.events:
        if e.kind in ("resolved", "closed"):
            ended = True
        elif e.kind == "reopened" or (ended and _is_customer_contact(e)):
            n += 1
            ended = False
    return Reading(_cap(n), f"{n}") if n else NONE


def repeat_problem(h: History) -> Reading:
    """The same problem from the same organisation within 30 days."""
    n = h.customer.repeat_problems_30d
    return Reading(1.0, f"{n}") if n else NONE


def prior_complaints(h: History) -> Reading:
    """Earlier complaints by the same contact or organisation."""
    n = h.customer.prior_complaints
    return Reading(_cap(n / 2), f"{n}") if n else NONE


def low_surveys(h: History) -> Reading:
    """Earlier low satisfaction-survey scores of the same contact or organisation."""
    n = h.customer.low_survey_scores
    return Reading(_cap(n / 2), f"{n}") if n else NONE


def stakeholder_not_told(h: History) -> Reading:
    """A stakeholder of the ticket's scope was not told of an event they subscribe to (the
    province heard, the branch that asked did not)."""
    n = sum(1 for e in h.events if e.kind == "stakeholder_not_told")
    return Reading(1.0, f"{n}") if n else NONE


def severity(h: History) -> Reading:
    """Severity: a P1 outage is a complaint waiting to happen."""
    s = SEVERITY.get(h.severity, 0.0)
    return Reading(s, h.severity) if s else NONE


def services_affected(h: History) -> Reading:
    """How many services the fault takes down (beyond one)."""
    n = h.customer.services_affected
    return Reading(_cap((n - 1) / 4), f"{n}") if n > 1 else NONE


def province_customer(h: History) -> Reading:
    """A province-level customer (its complaints reach further)."""
    return Reading(1.0) if h.customer.org_level == "province" else NONE


def _customer_texts(h: History) -> list[str]:
    return [e.text for e in h.events if _is_customer_contact(e) and e.text]


def text_cue(kind: str):
    """The strongest cue of one kind over every customer message so far, calmed by half when
    the customer's latest message is calm ("好的，谢谢")."""

    def reading(h: History) -> Reading:
        texts = _customer_texts(h)
        best, words = 0.0, []
        for t in texts:
            for cue in text.cues(t):
                if cue.kind == kind:
                    best = max(best, cue.strength)
                    words.extend(w for w in cue.words if w not in words)
        if not best:
            return NONE
        if text.is_calm(texts[-1]):
            best /= 2
        return Reading(best, ", ".join(words), tuple(words))

    reading.__name__ = f"text_{kind}"
    reading.__doc__ = f"Text cue: {kind} in the customer's words (every message)."
    return reading


SIGNALS = {
    "handoffs": handoffs,
    "declined_handoffs": declined_handoffs,
    "unanswered_calls": unanswered_calls,
    "repeated_contacts": repeated_contacts,
    "silence": silence,
    "clock_breaches": clock_breaches,
    "escalations": escalations,
    "visit_unresolved": visit_unresolved,
    "conclusion_changed": conclusion_changed,
    "reopenings": reopenings,
    "repeat_problem": repeat_problem,
    "prior_complaints": prior_complaints,
    "low_surveys": low_surveys,
    "stakeholder_not_told": stakeholder_not_told,
    "severity": severity,
    "services_affected": services_affected,
    "province_customer": province_customer,
    **{f"text_{kind}": text_cue(kind) for kind in lexicon.KINDS},
}
