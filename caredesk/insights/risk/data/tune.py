"""Choose the weights and the threshold on data/tune.jsonl (never on test.jsonl):

    DJANGO_SETTINGS_MODULE=caredesk.settings python caredesk/insights/risk/data/tune.py

Coordinate search: each weight in turn is tried at ×0.6 and ×1.5; a change is kept when it
raises the best F1 over thresholds 30–70 (ties: the higher AUC). Prints the weights and the
threshold to copy into config.py, and the figures they reach."""

import sys
from pathlib import Path

import django

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3]))
django.setup()

from caredesk.insights.risk import config  # noqa: E402
from caredesk.insights.risk.evaluation import figures, replay_all  # noqa: E402
from caredesk.insights.risk.history import from_json  # noqa: E402

THRESHOLDS = range(30, 71, 5)


def best(items, weights):
    top = None
    for t in THRESHOLDS:
        f = figures(replay_all(items, t, weights), t)
        key = (round(f.f1 or 0, 4), f.auc or 0)
        if top is None or key > top[0]:
            top = (key, t, f)
    return top


def main():
    items = [from_json(line) for line in (HERE / "tune.jsonl").open(encoding="utf-8")]
    weights = dict(config.WEIGHTS)
    current = best(items, weights)
    print("start", current[1], current[2].as_dict())
    for _round in range(2):
        for name in list(weights):
            for factor in (0.6, 1.5):
                trial = {**weights, name: round(weights[name] * factor, 1)}
                result = best(items, trial)
                if result[0] > current[0]:
                    weights, current = trial, result
                    print(f"{name} → {trial[name]}: F1 {result[0][0]} at {result[1]}")
    print("weights", weights)
    print("threshold", current[1], current[2].as_dict())


if __name__ == "__main__":
    main()
