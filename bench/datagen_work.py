"""Bulk loaders for the work floor over bench/datagen.py's tickets: satisfaction surveys (with
their answers and the per-office monthly tally), complaints about those tickets, and the
traces the leading indicators count — SLA clocks, hand-offs, escalations, reopenings, calls.

Used by bench_surveys and bench_analytics. Plain INSERTs in batches, or one INSERT … SELECT
over the tickets where each ticket's share is decided by its id (the same on SQLite and
PostgreSQL). Must run inside a configured Django process (django.setup() done).
"""

import datetime as dt
import itertools
import random
import sys

DIMENSIONS = ("responsiveness", "attitude", "technical_skill", "communication")
SURVEY_FIELDS = ("pk", "requester_id", "customer_org_id", "office_id", "owner_id", "created_at")
FAR = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


def fill_surveys(tickets, *, answered: int, seed: int, batch: int = 5000) -> list[str]:
    """One survey per ticket — `tickets` are rows of SURVEY_FIELDS — sent a day after it was
    opened; the first `answered` answered three hours later with random scores (about one in
    ten low), the rest left unanswered. The per-office monthly tally is added to from the same
    rows, as the verbs keep it. Returns the unanswered surveys' link tokens."""
    from django.db import connection, transaction

    from caredesk.satisfaction import tokens
    from caredesk.satisfaction.models import Tally
    from caredesk.satisfaction.services.tallies import month_of

    rng = random.Random(seed)
    survey_sql = (
        "INSERT INTO satisfaction_survey (subject_kind, ticket_id, contact_id, customer_org_id, "
        "office_id, engineer_id, channel, token_hash, sent_at, expires_at, answered_at, version)"
        " VALUES ('ticket', %s, %s, %s, %s, %s, 'email', %s, %s, %s, %s, %s)"
    )
    answer_sql = (
        "INSERT INTO satisfaction_answer (survey_id, responsiveness, attitude, technical_skill,"
        " communication, solved, comment, low, answered_at) "
        "SELECT id, %s, %s, %s, %s, %s, %s, %s, %s FROM satisfaction_survey WHERE ticket_id = %s"
    )
    tally: dict[tuple[int, dt.date], dict[str, int]] = {}
    links: list[str] = []
    surveys, answers = [], []

    def flush():
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(survey_sql, surveys)
            cur.executemany(answer_sql, answers)
        surveys.clear()
        answers.clear()

    for n, (pk, requester, customer, office, owner, created) in enumerate(tickets):
        sent = created + dt.timedelta(days=1)
        is_answered = n < answered
        token = tokens.new_token()
        if not is_answered:
            links.append(token)
        scores = [rng.choice((1, 2, 3, 4, 5, 5, 4, 5, 4, 5)) for _ in DIMENSIONS]
        solved = rng.random() > 0.08
        low = not solved or min(scores) <= 2
        at = sent + dt.timedelta(hours=3) if is_answered else None
        surveys.append(
            (pk, requester, customer, office, owner, tokens.hash_token(token), sent, FAR, at, 2)
        )
        if is_answered:
            answers.append((*scores, solved, "", low, at, pk))
        t = tally.setdefault((office, month_of(sent)), {})
        t["sent"] = t.get("sent", 0) + 1
        if is_answered:
            t["answered"] = t.get("answered", 0) + 1
            t["low"] = t.get("low", 0) + int(low)
            t["solved"] = t.get("solved", 0) + int(solved)
            for d, s in zip(DIMENSIONS, scores, strict=True):
                t[d] = t.get(d, 0) + s
        if len(surveys) >= batch:
            flush()
            sys.stderr.write(f"\r  surveys: {n + 1:,}   ")
    flush()
    sys.stderr.write("\n")
    with transaction.atomic():
        for (office, month), t in tally.items():
            row, _ = Tally.objects.get_or_create(office_id=office, month=month)
            for name, value in t.items():
                setattr(row, name, getattr(row, name) + value)
            row.save()
    return links


def fill_complaints(count: int, *, first_ticket: int, last_ticket: int, seed: int) -> None:
    """`count` complaints about random tickets with ids in [first_ticket, last_ticket], each
    received a day after its ticket was opened, at the ticket's office and customer. Categories
    skewed (a Pareto worth drawing); 85 % ended (a fifth of those withdrawn, the rest closed),
    most acknowledged and called back within hours; root causes recorded for two in three
    closed ones."""
    from django.db import transaction

    from caredesk.complaints.models import Category, Complaint, ComplaintTicket
    from caredesk.directory.models import Person, Role
    from caredesk.tickets.models import Ticket

    rng = random.Random(seed)
    cats = list(Category.objects.filter(parent__isnull=True).order_by("order", "pk"))
    cat_w = list(itertools.accumulate(1 / (i + 1) ** 1.2 for i in range(len(cats))))
    handlers = list(
        Person.objects.filter(role__in=[Role.SERVICE_MANAGER, Role.PRODUCT_LEADER]).order_by("pk")
    )
    registrar = Person.objects.filter(role=Role.HOTLINE_AGENT).order_by("pk").first()
    start = Complaint.objects.count()
    made = 0
    while made < count:
        n = min(5000, count - made)
        ids = sorted({rng.randint(first_ticket, last_ticket) for _ in range(n)})
        fields = ("pk", "customer_org_id", "office_id", "requester_id", "created_at")
        tickets = list(Ticket.objects.filter(pk__in=ids).values_list(*fields))
        rows, about = [], []
        for tid, customer, office, requester, opened in tickets:
            i = start + made + len(rows)
            received = opened + dt.timedelta(days=1)
            ended = rng.random() < 0.85
            withdrawn = ended and rng.random() < 0.2
            status = "withdrawn" if withdrawn else "closed" if ended else "in_progress"
            ack = received + dt.timedelta(minutes=rng.randrange(5, 600))
            called = ack + dt.timedelta(minutes=rng.randrange(10, 1440))
            closed = called + dt.timedelta(hours=rng.randrange(2, 240))
            cause = rng.choices(cats, cum_weights=cat_w)[0] if status == "closed" else None
            rows.append(
                Complaint(
                    number=f"CP-G-{i:08d}",
                    source="hotline",
                    channel="phone",
                    customer_org_id=customer,
                    office_id=office,
                    complainant_id=requester,
                    complainant_name="客户",
                    received_at=received,
                    registered_by=registrar,
                    words="推来推去没人管",
                    remedy_sought="明确责任人",
                    severity=rng.choice(["high", "medium", "low"]),
                    impact="branch",
                    category=rng.choices(cats, cum_weights=cat_w)[0],
                    handler=rng.choice(handlers),
                    status=status,
                    acknowledge_due=received + dt.timedelta(hours=4),
                    callback_due=received + dt.timedelta(hours=24),
                    resolve_due=received + dt.timedelta(days=7),
                    next_due=None if ended else received + dt.timedelta(days=7),
                    acknowledged_at=ack if rng.random() < 0.97 else None,
                    first_callback_at=called if ended or rng.random() < 0.5 else None,
                    root_cause=cause if cause and rng.random() < 0.67 else None,
                    withdrawn_at=called if withdrawn else None,
                    closure="confirmed" if status == "closed" else "",
                    closed_at=closed if status == "closed" else None,
                    created_at=received,
                    updated_at=received,
                )
            )
            about.append(tid)
        with transaction.atomic():
            Complaint.objects.bulk_create(rows)
            numbers = [r.number for r in rows]
            pks = dict(Complaint.objects.filter(number__in=numbers).values_list("number", "pk"))
            ComplaintTicket.objects.bulk_create(
                [
                    ComplaintTicket(complaint_id=pks[r.number], ticket_id=t)
                    for r, t in zip(rows, about, strict=True)
                ]
            )
        made += len(rows)
        sys.stderr.write(f"\r  complaints: {made:,}/{count:,}   ")
    sys.stderr.write("\n")


def fill_traces(*, first_ticket: int, last_ticket: int) -> None:
    """For the tickets with ids in [first_ticket, last_ticket]: stopped acknowledge and resolve
    clocks on the ended ones (one in eight breached), a hand-off on one in twenty (a third of
    those declined), an escalation on one in thirty, a reopening on one in fifty and a call on
    one in ten (half of them unanswered). One INSERT … SELECT each."""
    from django.db import connection

    from caredesk.calendars.models import Calendar

    calendar = Calendar.objects.filter(always_open=True).first() or Calendar.objects.create(
        name="bench 24×7", always_open=True
    )
    engineer = "(SELECT MIN(id) FROM directory_person WHERE role = 'engineer')"
    rng = "t.id BETWEEN %s AND %s"
    ended = "t.status IN ('closed', 'resolved')"
    # A CASE of string literals is text to PostgreSQL, which a jsonb column will not take.
    cast = "CAST({} AS jsonb)" if connection.vendor == "postgresql" else "{}"
    with connection.cursor() as cur:
        for kind, target in (("acknowledge", 1800), ("resolve", 86400)):
            cur.execute(
                "INSERT INTO escalation_ticketclock (ticket_id, kind, calendar_id,"
                " target_seconds, state, elapsed_seconds, started_at, stopped_at, breached_at)"
                f" SELECT t.id, %s, %s, %s, 'stopped', %s, t.created_at, t.updated_at,"
                f" CASE WHEN t.id %% 8 = 0 THEN t.updated_at END"
                f" FROM tickets_ticket t WHERE {rng} AND {ended}",
                [kind, calendar.pk, target, target // 2, first_ticket, last_ticket],
            )
        cur.execute(
            "INSERT INTO tickets_handoff (ticket_id, from_person_id, to_person_id,"
            " proposed_by_id, reason, status, response_reason, created_at, decided_at)"
            f" SELECT t.id, t.owner_id, {engineer}, t.owner_id, 'shift end',"
            " CASE WHEN t.id %% 60 = 0 THEN 'declined' ELSE 'accepted' END, '',"
            f" t.created_at, t.created_at FROM tickets_ticket t WHERE {rng} AND t.id %% 20 = 0",
            [first_ticket, last_ticket],
        )
        for kind, every, data in (
            ("escalated", 30, "'{}'"),
            ("reopened", 50, "'{}'"),
            (
                "call",
                10,
                cast.format(
                    'CASE WHEN t.id %% 20 = 0 THEN \'{"outcome": "answered"}\''
                    ' ELSE \'{"outcome": "no_answer"}\' END'
                ),
            ),
        ):
            cur.execute(
                "INSERT INTO tickets_timelineentry (ticket_id, kind, actor_id, public, body,"
                f" data, at) SELECT t.id, %s, t.owner_id, FALSE, '', {data}, t.created_at"
                f" FROM tickets_ticket t WHERE {rng} AND t.id %% {every} = 0",
                [kind, first_ticket, last_ticket],
            )
        cur.execute("ANALYZE")
