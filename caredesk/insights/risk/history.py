"""The one plain structure every risk signal reads: a ticket's history as a list of events
shaped like the evaluation format's (../shared/formats/risk-eval.md), plus its severity and
the customer's facts.

Two builders make it: `adapter.history_of(ticket)` from the database, and `from_json(line)`
here from a line of an evaluation file. The scorer never sees anything else, so production
and `evaluate_risk` run the same code.
"""

import datetime as dt
import json
from dataclasses import dataclass, field

# The format's kinds, exactly; the database adapter adds the last three, which evaluation
# files do not carry (a file may still use them).
KINDS = frozenset(
    {
        "customer_message",
        "acknowledged",
        "handoff_proposed",
        "handoff_accepted",
        "handoff_declined",
        "call",
        "staff_reply",
        "clock_breached",
        "escalated",
        "site_visit_left",
        "conclusion_changed",
        "resolved",
        "closed",
        "reopened",
        "stakeholder_not_told",
    }
)
CALL_OUTCOMES = frozenset({"answered", "no_answer", "busy", "voicemail", "phone_off"})
SEVERITIES = ("P1", "P2", "P3", "P4")


class BadHistory(ValueError):
    """A history line that does not follow the format (the message says where)."""


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    kind: str
    channel: str = ""
    text: str = ""
    direction: str = ""  # call: inbound (the customer called) or outbound
    outcome: str = ""  # call: answered, no_answer, busy, voicemail, phone_off
    public: bool = True  # staff_reply
    clock: str = ""  # clock_breached: acknowledge, respond, restore, resolve
    level: int = 0  # escalated
    resolved: bool | None = None  # site_visit_left


@dataclass(frozen=True)
class Customer:
    org_level: str = "city"  # "province" or "city"
    prior_complaints: int = 0
    low_survey_scores: int = 0
    # Not in the format's example, read when present (the database adapter fills them):
    repeat_problems_30d: int = 0  # the same problem, same organisation, within 30 days
    services_affected: int = 1


@dataclass(frozen=True)
class History:
    id: str
    severity: str
    opened_at: dt.datetime
    customer: Customer = field(default_factory=Customer)
    events: tuple[Event, ...] = ()  # in time order
    lang: str = ""

    def upto(self, n: int) -> "History":
        """The history as it stood after its first n events (nothing later is seen)."""
        return History(self.id, self.severity, self.opened_at, self.customer, self.events[:n])


@dataclass(frozen=True)
class Labelled:
    history: History
    complaint: bool
    complained_at: dt.datetime | None


def _time(value, where: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadHistory(f"{where}: not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise BadHistory(f"{where}: the time has no UTC offset: {value!r}")
    return moment


def _int(value, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadHistory(f"{where}: not a number: {value!r}")
    return int(value)


def _event(raw: dict, where: str) -> Event:
    if not isinstance(raw, dict):
        raise BadHistory(f"{where}: an event must be an object")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise BadHistory(f"{where}: unknown kind {kind!r}")
    outcome = raw.get("outcome", "") or ""
    if kind == "call" and outcome not in CALL_OUTCOMES:
        raise BadHistory(f"{where}: unknown call outcome {outcome!r}")
    resolved = raw.get("resolved")
    return Event(
        at=_time(raw.get("at"), where),
        kind=kind,
        channel=str(raw.get("channel", "") or ""),
        text=str(raw.get("text", "") or ""),
        direction=str(raw.get("direction", "") or ""),
        outcome=outcome,
        public=bool(raw.get("public", True)),
        clock=str(raw.get("clock", "") or ""),
        level=_int(raw.get("level", 0) or 0, where),
        resolved=None if resolved is None else bool(resolved),
    )


def from_json(line: str, where: str = "line") -> Labelled:
    """One evaluation line as a labelled history; events sorted by time (stable)."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadHistory(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise BadHistory(f"{where}: a line must be a JSON object")
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        raise BadHistory(f"{where}: unknown severity {severity!r}")
    cust = raw.get("customer") or {}
    if not isinstance(cust, dict):
        raise BadHistory(f"{where}: customer must be an object")
    customer = Customer(
        org_level=str(cust.get("org_level", "city")),
        prior_complaints=_int(cust.get("prior_complaints", 0), where),
        low_survey_scores=_int(cust.get("low_survey_scores", 0), where),
        repeat_problems_30d=_int(cust.get("repeat_problems_30d", 0), where),
        services_affected=_int(cust.get("services_affected", 1), where),
    )
    events = raw.get("events")
    if not isinstance(events, list):
        raise BadHistory(f"{where}: events must be a list")
    parsed = sorted(
        (_event(e, f"{where}, event {i + 1}") for i, e in enumerate(events)), key=lambda e: e.at
    )
    label = raw.get("label")
    if not isinstance(label, dict) or not isinstance(label.get("complaint"), bool):
        raise BadHistory(f"{where}: label.complaint must be true or false")
    complained_at = None
    if label["complaint"]:
        complained_at = _time(label.get("complained_at"), f"{where}, label")
    opened = raw.get("opened_at")
    history = History(
        id=str(raw.get("id", where)),
        severity=severity,
        opened_at=_time(opened, where) if opened else (parsed[0].at if parsed else None),
        customer=customer,
        events=tuple(parsed),
        lang=str(raw.get("lang", "")),
    )
    if history.opened_at is None:
        raise BadHistory(f"{where}: no opened_at and no events")
    return Labelled(history, label["complaint"], complained_at)
