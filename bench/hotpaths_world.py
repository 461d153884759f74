"""The world bench_hotpaths measures: bench/datagen.py's tickets with a realistic amount of the
work floor's data around them (bench/datagen_work.py) — SLA clocks, hand-offs, escalations,
reopenings and calls on every ticket's share; one survey in ten answered (three in ten
surveyed); a complaint for one ticket in twenty; a risk score on every open ticket; and a few
thousand alarm-masking rules of the busiest customer for the hand-over report.

Must run inside a configured Django process (django.setup() done, migrated).
"""

import datetime as dt
import random
import sys
import time

SIGNALS = ("silence", "unanswered_calls", "handoffs", "clock_breaches", "severity", "text_anger")


def _risk_scores(seed: int) -> int:
    """A score for every open ticket, as the worker leaves them (one row a ticket, the reasons
    largest first), about one in seven at or above the threshold."""
    from caredesk import clock
    from caredesk.insights.risk import config, services
    from caredesk.insights.risk.models import RiskScore
    from caredesk.tickets.models import OPEN_STATUSES, Ticket

    rng = random.Random(seed)
    threshold, version, now = config.threshold(), services.weights_version(), clock.now()
    ids = Ticket.objects.filter(status__in=sorted(OPEN_STATUSES)).values_list("pk", flat=True)
    made, batch = 0, []
    for pk in ids.iterator(chunk_size=5000):
        score = min(100, int(rng.expovariate(1 / 30)))
        picked = rng.sample(SIGNALS, 2)
        reasons = [
            {"signal": picked[0], "points": score * 0.6, "detail": "", "words": []},
            {"signal": picked[1], "points": score * 0.4, "detail": "", "words": ["生气"]},
        ]
        batch.append(
            RiskScore(
                ticket_id=pk,
                score=score,
                reasons=reasons,
                above=score >= threshold,
                computed_at=now,
                weights_version=version,
            )
        )
        if len(batch) == 5000:
            RiskScore.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    RiskScore.objects.bulk_create(batch)
    return made + len(batch)


def build(size: int, *, rules: int, seed: int = 3) -> dict:
    """Generate everything; returns world ids (datagen's) with the load's seconds per part."""
    from django.db import connection
    from django.db.models import F
    from django.db.models.functions import Mod

    from bench import datagen, datagen_work
    from bench.bench_handover import _rules
    from caredesk.directory.models import Organisation, Person
    from caredesk.tickets.models import Ticket

    world = datagen.build_world()
    took = {}
    began = time.perf_counter()
    took["tickets"] = datagen.fill(world, size, label="tickets")
    part = time.perf_counter()
    datagen_work.fill_traces(first_ticket=1, last_ticket=size)
    surveyed = (
        Ticket.objects.annotate(bucket=Mod(F("pk"), 10))
        .filter(bucket=0)
        .order_by("pk")
        .values_list(*datagen_work.SURVEY_FIELDS)
    )
    datagen_work.fill_surveys(list(surveyed), answered=size * 3 // 100, seed=seed)
    datagen_work.fill_complaints(size // 20, first_ticket=1, last_ticket=size, seed=seed)
    scores = _risk_scores(seed)
    lakeside = Organisation.objects.get(pk=world["customers"][0])
    people = {p.username: p for p in Person.objects.filter(username__contains=".")}
    _rules(people, lakeside, rules)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    took["work floor"] = time.perf_counter() - part
    took["all"] = time.perf_counter() - began
    sys.stderr.write(f"  loaded in {took['all']:.0f} s ({scores:,} risk scores)\n")
    return {**world, "took": took, "risk_scores": scores}


def first_of(period_start: dt.date) -> int:
    """The id of the first ticket opened on or after `period_start` (tickets are opened in id
    order): a ticket inside the dashboard's period for the reference read."""
    from caredesk.tickets.models import Ticket

    at = dt.datetime.combine(period_start, dt.time(), tzinfo=dt.UTC)
    return Ticket.objects.filter(created_at__gte=at).order_by("pk").values_list("pk", flat=True)[0]
