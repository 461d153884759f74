"""The web server killed in the middle of writes leaves no half-written ticket.

Six clients open tickets through a real gunicorn (two worker processes, caredesk/tests/
liveserver.py) on PostgreSQL while the test SIGKILLs a worker process six times; gunicorn
starts a new one each time. A request cut by a kill gets no answer, and its ticket either
committed whole or not at all: every ticket in the database has exactly what an opening
writes — measured on a ticket opened before the kills — and every 201 names one of them.
"""

import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from django.db import connection

from caredesk.audit.models import AuditRecord
from caredesk.directory import tokens
from caredesk.escalation import demo as escalation_demo
from caredesk.escalation.models import EscalationRun, TicketClock
from caredesk.tests import liveserver
from caredesk.tickets.models import SearchDocument, Ticket, TimelineEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a server process needs PostgreSQL"
    ),
]
KILLS = 6


def _workers(master: int) -> list[int]:
    """gunicorn's worker processes: the master's children, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
            if int(fields[1]) == master:  # the field after the state is the parent's pid
                found.append(int(entry.name))
    return found


def _written(ticket_ids: list[int]) -> dict[int, tuple]:
    """Per ticket, how many rows of each kind its opening wrote."""

    entries = Counter(
        TimelineEntry.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True)
    )
    clocks = Counter(
        TicketClock.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True)
    )
    runs = Counter(
        EscalationRun.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True)
    )
    documents = set(
        SearchDocument.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True)
    )
    audits = Counter(
        int(object_id)
        for object_id in AuditRecord.objects.filter(
            object_type="Ticket", object_id__in=[str(i) for i in ticket_ids]
        ).values_list("object_id", flat=True)
    )
    return {i: (entries[i], clocks[i], runs[i], i in documents, audits[i]) for i in ticket_ids}


def test_workers_killed_mid_write_leave_no_half_written_ticket(tmp_path, cast):
    escalation_demo.setup(cast.world)  # clocks and chains: an opening writes them too
    key = tokens.create_token(actor=None, person=cast.y, name="kills", expires_in_days=1).key
    headers = {"Authorization": f"Bearer {key}"}
    body = {
        "customer_org": cast.orgs.lakeside.pk,
        "product": "core",
        "region": "lakeside",
        "severity": "P2",
        "title": "链路中断",
        "customer_voice": "传输链路中断，请尽快处理。",
    }
    env = {"CAREDESK_API_RATE_PER_MINUTE": "1000000000"}
    answers: list[tuple[str | int, int | None]] = []
    with liveserver.serving(tmp_path, workers=2, threads=4, env=env) as live:
        with httpx.Client(base_url=live.url, timeout=liveserver.DEADLINE) as http:
            reference = http.post("/api/v1/tickets", headers=headers, json=body)
        assert reference.status_code == 201, (reference.text[:300], live.output())
        stop = threading.Event()

        def client(n: int) -> None:
            with httpx.Client(base_url=live.url, timeout=liveserver.DEADLINE) as http:
                while not stop.is_set():
                    try:
                        answer = http.post("/api/v1/tickets", headers=headers, json=body)
                    except httpx.TransportError:
                        answers.append(("cut", None))
                        continue
                    made = answer.json().get("id") if answer.status_code == 201 else None
                    answers.append((answer.status_code, made))

        clients = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for t in clients:
            t.start()
        rng, killed = random.Random(7), 0
        try:
            deadline = time.monotonic() + liveserver.DEADLINE
            while killed < KILLS and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.3, 0.8))
                workers = _workers(live.pid)
                if len(workers) == live.workers:  # the last one killed is back
                    os.kill(rng.choice(workers), signal.SIGKILL)
                    killed += 1
            time.sleep(1.0)  # answers from the replacement workers too
        finally:
            stop.set()
            for t in clients:
                t.join(timeout=liveserver.DEADLINE)

    statuses = Counter(status for status, _ in answers)
    assert killed == KILLS
    assert statuses["cut"] >= 1, statuses  # some request was in the middle when a worker died
    assert set(statuses) <= {201, "cut"}, (statuses, live.output())
    created = {made for status, made in answers if status == 201}
    tickets = list(Ticket.objects.values_list("id", flat=True))
    assert created <= set(tickets)
    # A request cut after its commit made a whole ticket nobody was told of; never more.
    assert len(tickets) - len(created) - 1 <= statuses["cut"]
    written = _written(tickets)
    whole = written[reference.json()["id"]]
    assert all(whole), whole  # an entry, its clocks, a chain, its search words, an audit row
    half = {i: w for i, w in written.items() if w != whole}
    assert not half, (whole, half)
