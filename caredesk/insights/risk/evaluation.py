"""Replaying labelled histories and the figures `evaluate_risk` prints (risk-eval.md).

A ticket is a true positive when its alert comes before the complaint; an alert at or after
the complaint is a miss; an alert on a ticket without a complaint is a false positive. ROC AUC
ranks the maximum score reached before the complaint (over the whole history when there is
none); the lead time is complaint − alert over the true positives."""

import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from .history import Labelled
from .scoring import replay


@dataclass(frozen=True)
class Figures:
    tickets: int
    threshold: float
    precision: float | None
    recall: float | None
    f1: float | None
    auc: float | None
    median_lead_minutes: float | None
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_dict(self) -> dict:
        return {
            "tickets": self.tickets,
            "threshold": self.threshold,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "auc": self.auc,
            "median_lead_minutes": self.median_lead_minutes,
        }


def auc(scores: list[float], labels: list[bool]) -> float | None:
    """ROC AUC as the probability that a positive outranks a negative (ties count half);
    None when one class is missing."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return None
    # Rank-sum (Mann–Whitney U) with average ranks for ties: O(n log n).
    ordered = sorted(scores)
    ranks: dict[float, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[i]:
            j += 1
        ranks[ordered[i]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(ranks[s] for s in pos)
    u = rank_sum - len(pos) * (len(pos) + 1) / 2
    return u / (len(pos) * len(neg))


@dataclass(frozen=True)
class Outcome:
    labelled: Labelled
    alert_at: object
    max_score: int


def replay_all(items: Iterable[Labelled], threshold: float, weights=None) -> list[Outcome]:
    out = []
    for item in items:
        r = replay(item.history, threshold=threshold, until=item.complained_at, weights=weights)
        out.append(Outcome(item, r.alert_at, r.max_score))
    return out


def figures(outcomes: list[Outcome], threshold: float) -> Figures:
    tp = fp = fn = 0
    leads = []
    for o in outcomes:
        lab = o.labelled
        if lab.complaint:
            if o.alert_at is not None and o.alert_at < lab.complained_at:
                tp += 1
                leads.append((lab.complained_at - o.alert_at).total_seconds() / 60)
            else:
                fn += 1
        elif o.alert_at is not None:
            fp += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if precision is not None and recall is not None else None)
    )
    return Figures(
        tickets=len(outcomes),
        threshold=threshold,
        precision=precision,
        recall=recall,
        f1=f1,
        auc=auc([o.max_score for o in outcomes], [o.labelled.complaint for o in outcomes]),
        median_lead_minutes=statistics.median(leads) if leads else None,
        tp=tp,
        fp=fp,
        fn=fn,
    )


def evaluate(items: list[Labelled], threshold: float, weights=None) -> Figures:
    return figures(replay_all(items, threshold, weights), threshold)
