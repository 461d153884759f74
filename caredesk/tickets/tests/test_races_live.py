"""The races of the reliability battery, through a real server on PostgreSQL.

gunicorn (two processes with sixteen threads each, caredesk/tests/liveserver.py) serves the
test database; the requests come over HTTP from threads a barrier releases together. So that
they also meet inside the server, not one after another, the test itself first holds the lock
the racing verbs must take — the ticket's row, the year's counter row, or for the year's first
ticket the counter row it is inserting — and lets go only once PostgreSQL shows the requests
waiting on it: by then each has read what it reads before the lock (the version, the pending
hand-off), and they all go at once.

(SQLite admits one writer at a time, and its test database lives in this process's memory, out
of a server's reach; the same races in-process are in test_concurrency.py.)
"""

import html
import json
import re
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.directory import tokens
from caredesk.directory.models import OWNER_ROLES
from caredesk.errors import StaleVersion
from caredesk.notify.models import Message
from caredesk.tests import liveserver
from caredesk.tests.errorshape import error_of
from caredesk.tickets import services
from caredesk.tickets.models import (
    EntryKind,
    Handoff,
    HandoffStatus,
    Status,
    Ticket,
    TicketSequence,
    TimelineEntry,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a server process needs PostgreSQL"
    ),
]
DEADLINE = liveserver.DEADLINE  # seconds: every wait below is bounded by this


@pytest.fixture(scope="module")
def server(django_db_setup, tmp_path_factory):
    # Fifty calls in a second from one token: the rate limit counts but never refuses.
    env = {"CAREDESK_API_RATE_PER_MINUTE": "1000000000"}
    with liveserver.serving(tmp_path_factory.mktemp("races"), env=env) as live:
        yield live


@pytest.fixture
def http(server):
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(base_url=server.url, timeout=DEADLINE, limits=limits) as client:
        yield client


def bearer(person) -> dict[str, str]:
    made = tokens.create_token(actor=None, person=person, name="races", expires_in_days=1)
    return {"Authorization": f"Bearer {made.key}"}


def row_of(ticket: Ticket) -> tuple[str, list]:
    table = connection.ops.quote_name(Ticket._meta.db_table)
    return f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [ticket.pk]


# ---------------------------------------------------------------- the race


def _waiting_behind_us(cur) -> int:
    """Sessions waiting for a lock this session holds, directly or queued behind one another
    (PostgreSQL queues the second writer of a row behind the first waiter's tuple lock)."""
    cur.execute("SELECT pg_backend_pid()")
    behind = {cur.fetchone()[0]}
    cur.execute("SELECT DISTINCT pid, pg_blocking_pids(pid) FROM pg_locks WHERE NOT granted")
    blocked_by = [(pid, set(blockers)) for pid, blockers in cur.fetchall()]
    while more := {pid for pid, blockers in blocked_by if blockers & behind} - behind:
        behind |= more
    return len(behind) - 1


def _hold_until_waiting(cur, waiting: int, futures: list[Future], server) -> None:
    end = time.monotonic() + DEADLINE
    while (count := _waiting_behind_us(cur)) < waiting:
        if done := [f for f in futures if f.done()]:
            # Every racing verb takes the lock held here: an answer now means one did not.
            outcomes = [
                f.exception() or (f.result().status_code, f.result().text[:300]) for f in done
            ]
            pytest.fail(
                f"{len(done)} answered while the lock was held, {count} waiting: {outcomes}\n"
                f"{server.output()}"
            )
        if time.monotonic() > end:
            pytest.fail(f"only {count} of {waiting} requests reached the lock\n{server.output()}")
        time.sleep(0.02)


def race(calls, server, *, behind: tuple[str, list], waiting: int) -> list[httpx.Response]:
    """Send each call from its own thread, the threads released together by a barrier, and
    return the answers in the calls' order.

    `behind` is a statement taking a lock the calls will need: the test holds it, in a
    transaction of its own that it rolls back, until at least `waiting` of the requests wait
    for it inside PostgreSQL."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        barrier.wait(timeout=DEADLINE)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(*behind)
            futures = [pool.submit(send, call) for call in calls]
            _hold_until_waiting(cur, waiting, futures, server)
            transaction.set_rollback(True)  # lets go, having written nothing
        return [f.result(timeout=DEADLINE) for f in futures]


def nowhere(text: str, ticket: Ticket) -> bool:
    """`text` is in no timeline entry and no audit record of the ticket."""
    entries = TimelineEntry.objects.filter(ticket=ticket)
    records = AuditRecord.objects.filter(object_type="Ticket", object_id=str(ticket.pk))
    written = [e.body + json.dumps(e.data) for e in entries]
    written += [json.dumps([r.before, r.after]) for r in records]
    return not any(text in w for w in written)


# ---------------------------------------------------------------- two writers of one version


def test_two_api_writers_of_one_version_one_wins_the_other_gets_409(
    server, http, cast, open_request
):
    ticket = open_request()  # engineer.b owns it; manager.a manages the region
    writers = [cast.b, cast.a]
    headers = [bearer(p) for p in writers]
    # Both read the ticket and edit what they read.
    read = [http.get(f"/api/v1/tickets/{ticket.pk}", headers=h).json()["version"] for h in headers]
    assert read == [ticket.version] * 2
    titles = [f"Root cause found by {p.username}" for p in writers]

    def patch(i):
        body = {"version": read[i], "title": titles[i]}
        return lambda: http.patch(f"/api/v1/tickets/{ticket.pk}", headers=headers[i], json=body)

    answers = race([patch(0), patch(1)], server, behind=row_of(ticket), waiting=2)

    codes = [a.status_code for a in answers]
    assert sorted(codes) == [200, 409], (codes, server.output())
    won, lost = codes.index(200), codes.index(409)
    error = error_of(answers[lost], 409)
    assert error["code"] == "stale_version"
    assert error["fields"] == {"version": str(ticket.version + 1)}  # the version to reload
    assert (answers[won].json()["title"], answers[won].json()["version"]) == (
        titles[won],
        ticket.version + 1,
    )
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.title, fresh.version) == (titles[won], ticket.version + 1)
    edits = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.EDITED)
    assert [(e.actor_id, e.data["changes"]) for e in edits] == [
        (writers[won].pk, {"title": [ticket.title, titles[won]]})
    ]
    audits = AuditRecord.objects.filter(action="ticket.edit", object_id=str(ticket.pk))
    assert [(r.actor_id, r.before["title"], r.after["title"]) for r in audits] == [
        (writers[won].pk, ticket.title, titles[won])
    ]
    assert nowhere(titles[lost], ticket)  # refused, not merged: the loser's change is absent
    # Told the version to reload, the loser applies the change again, now knowingly.
    again = http.patch(
        f"/api/v1/tickets/{ticket.pk}",
        headers=headers[lost],
        json={"version": int(error["fields"]["version"]), "title": titles[lost]},
    )
    assert again.status_code == 200, again.text
    assert Ticket.objects.get(pk=ticket.pk).title == titles[lost]


@pytest.fixture
def browser(server):
    """browser(person): an httpx client signed in as `person` on the live server (the session
    made the way Django's test client makes one), reading the pages in English."""
    made = []

    def signed_in(person) -> httpx.Client:
        client = Client()
        client.force_login(person)
        cookies = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.LANGUAGE_COOKIE_NAME: "en",
        }
        made.append(httpx.Client(base_url=server.url, timeout=DEADLINE, cookies=cookies))
        return made[-1]

    yield signed_in
    for client in made:
        client.close()


def _form_fields(page: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, version) of the page's form posting to `action`."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, f"no form for {action}"
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))


def test_two_page_writers_of_one_version_one_wins_the_other_sees_why(
    server, browser, cast, open_request
):
    ticket = services.acknowledge(actor=cast.b, ticket=open_request())
    writers = [cast.b, cast.a]
    targets = [Status.IN_PROGRESS, Status.WAITING_CUSTOMER]
    action = reverse("tickets:ticket_action", args=[ticket.number, "status"])
    clients = [browser(p) for p in writers]
    # Both open the ticket page: its status form carries the version they saw.
    forms = []
    for client in clients:
        page = client.get(reverse("tickets:ticket", args=[ticket.number]))
        assert page.status_code == 200, page.text[:300]
        forms.append(_form_fields(page.text, action))
    assert [int(f["version"]) for f in forms] == [ticket.version] * 2

    def submit(i):
        data = {**forms[i], "status": targets[i]}
        return lambda: clients[i].post(action, data=data)

    answers = race([submit(0), submit(1)], server, behind=row_of(ticket), waiting=2)

    codes = [a.status_code for a in answers]
    assert sorted(codes) == [302, 409], (codes, server.output())
    won, lost = codes.index(302), codes.index(409)
    assert (
        answers[won].headers["Location"].startswith(reverse("tickets:ticket", args=[ticket.number]))
    )
    # The loser is shown why, on the ticket page, with the form now at the fresh version.
    with translation.override("en"):
        assert html.escape(str(StaleVersion.default_message)) in answers[lost].text
    assert _form_fields(answers[lost].text, action)["version"] == str(ticket.version + 1)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.status, fresh.version) == (targets[won], ticket.version + 1)
    moves = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.STATUS)
    assert [(e.actor_id, e.data["status"]) for e in moves] == [(writers[won].pk, targets[won])]
    audits = AuditRecord.objects.filter(action="ticket.edit", object_id=str(ticket.pk))
    assert [(r.actor_id, r.after["status"]) for r in audits] == [(writers[won].pk, targets[won])]
    assert nowhere(targets[lost], ticket)


# ---------------------------------------------------------------- fifty accepts of one hand-off

ACCEPTS = 50


def test_fifty_accepts_of_one_handoff_make_one_owner_change(server, http, cast, open_request):
    ticket = open_request()
    handoff = services.propose_handoff(
        actor=cast.b, ticket=ticket, to_person=cast.c, reason="The fault is on the radio side."
    )
    before = Ticket.objects.get(pk=ticket.pk)
    headers = bearer(cast.c)  # the colleague asked, pressing Accept fifty times at once

    def accept():
        return http.post(f"/api/v1/handoffs/{handoff.pk}/accept", headers=headers)

    # However the connections were shared out, one worker's threads are all held at the lock.
    answers = race([accept] * ACCEPTS, server, behind=row_of(ticket), waiting=server.threads)

    codes = Counter(a.status_code for a in answers)
    assert codes == {200: 1, 409: ACCEPTS - 1}, (codes, server.output())
    won = next(a for a in answers if a.status_code == 200).json()
    assert (won["id"], won["status"], won["to_person"]["id"]) == (handoff.pk, "accepted", cast.c.pk)
    refusals = {error_of(a, 409)["code"] for a in answers if a.status_code == 409}
    assert refusals == {"handoff_not_pending"}
    decided = Handoff.objects.get(pk=handoff.pk)
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert decided.status == HandoffStatus.ACCEPTED
    assert (fresh.owner_id, fresh.owner_since) == (cast.c.pk, decided.decided_at)
    assert (fresh.handoff_count, fresh.version) == (before.handoff_count + 1, before.version + 1)
    accepted = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.HANDOFF_ACCEPTED)
    assert [(e.actor_id, e.data["handoff"], e.data["from"]) for e in accepted] == [
        (cast.c.pk, handoff.pk, cast.b.pk)
    ]
    audits = AuditRecord.objects.filter(action="handoff.accept", object_id=str(handoff.pk))
    assert [(r.actor_id, r.before["owner"], r.after["owner"]) for r in audits] == [
        (cast.c.pk, cast.b.pk, cast.c.pk)
    ]
    # Whoever hears of the new owner hears it once.
    told = Message.objects.filter(idempotency_key__contains=":handoff.accepted:")
    destinations = [(m.recipient_id, m.channel) for m in told]
    assert destinations and len(destinations) == len(set(destinations))


# ---------------------------------------------------------------- eight creators, their numbers

NUMBER = re.compile(r"CD-(\d{4})-(\d{6})")


def test_eight_concurrent_creators_get_eight_consecutive_numbers(server, http, cast):
    year = clock.now().year
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    assert not TicketSequence.objects.filter(year=year).exists()  # the year's first tickets
    creators = [cast.x, cast.y, cast.z, cast.a, cast.b, cast.c, cast.p, cast.h]
    headers = [bearer(p) for p in creators]
    home = {cast.x: "lakeside", cast.z: "hillside"}  # the province's contact asks for a branch

    def open_as(i, round_):
        region = home.get(creators[i], "lakeside")
        body = {
            "customer_org": getattr(cast.orgs, region).pk,
            "product": "core",
            "region": region,
            "severity": "P3",
            "title": f"Round {round_}: alarms from {creators[i].username}",
            "customer_voice": "Alarms keep coming.",
        }
        return lambda: http.post("/api/v1/tickets", headers=headers[i], json=body)

    def numbers(answers) -> list[int]:
        assert [a.status_code for a in answers] == [201] * len(creators), (
            [(a.status_code, a.text[:300]) for a in answers],
            server.output(),
        )
        found = [NUMBER.fullmatch(a.json()["number"]) for a in answers]
        assert all(m and int(m[1]) == year for m in found), [a.json()["number"] for a in answers]
        return sorted(int(m[2]) for m in found)

    # The year's first eight meet where its counter row is being made (the test's own insert,
    # rolled back: one of them makes it), the next eight at that row's lock.
    first = race(
        [open_as(i, 1) for i in range(len(creators))],
        server,
        behind=(f"INSERT INTO {table} (year, last) VALUES (%s, 0)", [year]),
        waiting=len(creators),
    )
    second = race(
        [open_as(i, 2) for i in range(len(creators))],
        server,
        behind=(f"SELECT last FROM {table} WHERE year = %s FOR UPDATE", [year]),
        waiting=len(creators),
    )

    n = len(creators)
    assert numbers(first) == list(range(1, n + 1))  # distinct, from the year's first, no gap
    assert numbers(second) == list(range(n + 1, 2 * n + 1))
    assert TicketSequence.objects.get(year=year).last == 2 * n
    answers = first + second
    tickets = Ticket.objects.in_bulk([a.json()["id"] for a in answers])
    assert sorted(t.number for t in tickets.values()) == sorted(a.json()["number"] for a in answers)
    for i, answer in enumerate(answers):
        creator = creators[i % n]
        ticket = tickets[answer.json()["id"]]
        # One owner from the first instant: staff own what they record, the matrix routes
        # customers' requests (core network: engineer.b, in both regions).
        assert ticket.owner_id == (creator.pk if creator.role in OWNER_ROLES else cast.b.pk)
        assert ticket.created_by_id == creator.pk
        opened = TimelineEntry.objects.filter(ticket=ticket, kind=EntryKind.OPENED)
        assert opened.count() == 1
        audit = AuditRecord.objects.filter(action="ticket.open", object_id=str(ticket.pk))
        assert audit.count() == 1
