"""The score: 0–100 with its reasons. One implementation, used by the worker's and the
verbs' recomputation (services.refresh) and by `evaluate_risk` (replay)."""

import datetime as dt
from dataclasses import dataclass

from . import config
from .history import History
from .signals import SIGNALS


@dataclass(frozen=True)
class Reason:
    signal: str
    points: float
    detail: str
    words: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "signal": self.signal,
            "points": self.points,
            "detail": self.detail,
            "words": list(self.words),
        }


@dataclass(frozen=True)
class Score:
    value: int  # 0..100
    reasons: tuple[Reason, ...]  # largest contribution first


def _resolved_now(h: History) -> bool:
    for e in reversed(h.events):
        if e.kind in ("resolved", "closed"):
            return True
        if e.kind in ("reopened", "customer_message") or (
            e.kind == "call" and e.direction == "inbound"
        ):
            return False
    return False


def score(h: History, weights: dict[str, float] | None = None) -> Score:
    """The risk of `h` as it stands after its last event."""
    weights = weights if weights is not None else config.weights()
    reasons = []
    total = 0.0
    for name, fn in SIGNALS.items():
        weight = weights.get(name, 0)
        if not weight:
            continue
        reading = fn(h)
        if reading.strength <= 0:
            continue
        points = round(reading.strength * weight, 1)
        total += points
        reasons.append(Reason(name, points, reading.detail, reading.words))
    if _resolved_now(h):
        total *= config.RESOLVED_DAMPING
    reasons.sort(key=lambda r: -r.points)
    return Score(int(round(min(100.0, total))), tuple(reasons))


@dataclass(frozen=True)
class Replay:
    alert_at: dt.datetime | None  # the first event time the score reached the threshold
    alert_score: Score | None
    max_score: int  # the highest score before `until` (or over the whole history)


def replay(
    h: History,
    *,
    threshold: float,
    until: dt.datetime | None = None,
    weights: dict[str, float] | None = None,
) -> Replay:
    """Score `h` after each of its events in time order, from that event and the ones before
    only. Events at or after `until` (the complaint) are not scored for the maximum; the alert
    time is looked for over events before `until` too (an alert at or after it is a miss)."""
    weights = weights if weights is not None else config.weights()
    alert_at, alert_score, best = None, None, 0
    for n in range(1, len(h.events) + 1):
        at = h.events[n - 1].at
        if until is not None and at >= until:
            break
        s = score(h.upto(n), weights)
        best = max(best, s.value)
        if alert_at is None and s.value >= threshold:
            alert_at, alert_score = at, s
    return Replay(alert_at, alert_score, best)
