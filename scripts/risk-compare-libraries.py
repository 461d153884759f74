"""Evaluate what kept Chinese sentiment libraries add to the risk score, as an extra signal.

Not part of CareDesk's dependencies: install them beside it first, e.g.
    pip install --target /tmp/libs --no-deps snownlp==0.12.3 cnsenti==0.0.7
    PYTHONPATH=/tmp/libs python scripts/risk-compare-libraries.py
For each library: the signal is how negative the most negative customer message so far reads
(snownlp: 1 − 2·min(sentiment) clipped at 0; cnsenti: negative words minus positive ones, over
3, clipped to 0..1). Its weight is chosen on the tuning part (the one that maximises F1 at the
default threshold, AUC breaking ties) and reported on the test part, beside CareDesk alone.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")

import django  # noqa: E402

django.setup()

from caredesk.insights.risk import config  # noqa: E402
from caredesk.insights.risk.evaluation import evaluate  # noqa: E402
from caredesk.insights.risk.history import from_json  # noqa: E402
from caredesk.insights.risk.signals import SIGNALS, Reading  # noqa: E402

DATA = ROOT / "caredesk" / "insights" / "risk" / "data"


def load(name):
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [from_json(x, f"{name}:{i}") for i, x in enumerate(lines, 1) if x.strip()]


def customer_texts(h):
    return [e.text for e in h.events if e.kind == "customer_message" and e.text.strip()]


def snownlp_signal():
    from snownlp import SnowNLP

    cache = {}

    def sentiment(text):
        if text not in cache:
            cache[text] = SnowNLP(text).sentiments
        return cache[text]

    def fn(h):
        texts = customer_texts(h)
        if not texts:
            return Reading(0.0)
        worst = min(sentiment(t) for t in texts)
        return Reading(max(0.0, 1 - 2 * worst), f"snownlp {worst:.2f}")

    return fn


def cnsenti_signal():
    from cnsenti import Sentiment

    senti = Sentiment()
    cache = {}

    def negativity(text):
        if text not in cache:
            r = senti.sentiment_count(text)
            cache[text] = max(0.0, min(1.0, (r["neg"] - r["pos"]) / 3))
        return cache[text]

    def fn(h):
        texts = customer_texts(h)
        if not texts:
            return Reading(0.0)
        return Reading(max(negativity(t) for t in texts), "cnsenti")

    return fn


def row(label, f):
    def p(x):
        return "—" if x is None else f"{x:.3f}"

    lead = "—" if f.median_lead_minutes is None else f"{f.median_lead_minutes:.0f}"
    return f"| {label} | {p(f.precision)} | {p(f.recall)} | {p(f.f1)} | {p(f.auc)} | {lead} |"


def main():
    tune, test = load("tune.jsonl"), load("test.jsonl")
    threshold = config.threshold() if callable(getattr(config, "threshold", None)) else None
    threshold = threshold or getattr(config, "THRESHOLD", 50)
    base = dict(config.weights())
    print(f"threshold {threshold}; tune {len(tune)} tickets, test {len(test)}\n")
    print("| score | precision | recall | F1 | ROC AUC | median lead (min) |")
    print("|---|---|---|---|---|---|")
    print(row("CareDesk alone, test", evaluate(test, threshold, base)))
    for name, make in (("snownlp", snownlp_signal), ("cnsenti", cnsenti_signal)):
        SIGNALS[name] = make()
        best = None
        for w in (5, 10, 15, 20, 30, 40):
            f = evaluate(tune, threshold, {**base, name: w})
            key = (f.f1 or 0, f.auc or 0)
            if best is None or key > best[0]:
                best = (key, w)
        w = best[1]
        print(
            row(
                f"+ {name} (weight {w}, chosen on tune), test",
                evaluate(test, threshold, {**base, name: w}),
            )
        )
        del SIGNALS[name]


if __name__ == "__main__":
    main()
