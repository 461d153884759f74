"""python manage.py evaluate_risk FILE [--threshold N] [--json]

Replays each labelled ticket history of a JSON Lines file (shared/formats/risk-eval.md) with
the production scorer and prints precision, recall, F1, ROC AUC and the median lead time."""

import json

from django.core.management.base import BaseCommand, CommandError

from caredesk.insights.risk import config
from caredesk.insights.risk.evaluation import evaluate
from caredesk.insights.risk.history import BadHistory, from_json


def _fmt(x, digits=3):
    return "n/a" if x is None else f"{x:.{digits}f}"


class Command(BaseCommand):
    requires_system_checks: list = []  # no database needed: the files are the data
    help = "Replay labelled ticket histories (JSON Lines) and print the risk score's figures."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--threshold", type=float, default=None)
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, file, threshold, as_json, **options):
        threshold = config.threshold() if threshold is None else threshold
        if not 0 <= threshold <= 100:
            raise CommandError("--threshold must be between 0 and 100")
        items = []
        try:
            with open(file, encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if line.strip():
                        items.append(from_json(line, f"line {n}"))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file} is not UTF-8 text") from None
        except BadHistory as exc:
            raise CommandError(f"{file}: {exc}") from None
        if not items:
            raise CommandError(f"{file} holds no ticket histories")
        fig = evaluate(items, threshold)
        if as_json:
            self.stdout.write(json.dumps(fig.as_dict()))
            return
        lead = fig.median_lead_minutes
        self.stdout.write(
            f"tickets              {fig.tickets}\n"
            f"threshold            {fig.threshold:g}\n"
            f"precision            {_fmt(fig.precision)}  (tp {fig.tp}, fp {fig.fp})\n"
            f"recall               {_fmt(fig.recall)}  (fn {fig.fn})\n"
            f"f1                   {_fmt(fig.f1)}\n"
            f"auc                  {_fmt(fig.auc)}\n"
            f"median lead minutes  {_fmt(lead, 1)}"
        )
