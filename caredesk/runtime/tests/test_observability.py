"""Health, readiness, metrics and the request id that follows work into the worker."""

import datetime as dt
import json
import logging

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from caredesk import clock
from caredesk.escalation import demo as escalation_demo
from caredesk.notify import delivery
from caredesk.notify.models import Message
from caredesk.runtime.heartbeat import Heart
from caredesk.runtime.models import WorkerBeat
from caredesk.tickets.models import Ticket
from caredesk.timers.models import DueAction
from caredesk.timers.services import run_due

pytestmark = pytest.mark.django_db

BODY = {
    "product": "core",
    "region": "lakeside",
    "severity": "P1",
    "title": "Core network down in the north",
    "customer_voice": "北区核心网全部中断。",
    "channel": "api",
}


@pytest.fixture
def chains(cast):
    """The demo's calendars, SLA policies and escalation chains: a P1 gets clocks and a chain."""
    escalation_demo.setup(cast.world)
    return cast


def scrape(client=None, **headers) -> dict[tuple[str, tuple], float]:
    res = (client or Client()).get("/metrics", **headers)
    assert res.status_code == 200, res.content
    assert res["Content-Type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(res.content.decode())
        for s in family.samples
    }


# ------------------------------------------------------------------ healthz / readyz
def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_unready_without_a_worker_and_ready_with_a_fresh_heartbeat(cast, client):
    res = client.get("/readyz")
    assert res.status_code == 503
    body = res.json()
    assert body["status"] == "unready"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["worker"] == {
        "ok": False,
        "detail": "no worker is running (manage.py worker)",
    }

    Heart("w1").tick(force=True)
    res = client.get("/readyz")
    assert res.status_code == 200, res.json()
    assert res.json()["status"] == "ready"
    assert res["Cache-Control"].startswith("max-age=0")


def test_readyz_turns_unready_when_the_heartbeat_goes_stale_or_the_worker_stops(
    cast, client, settings
):
    settings.READY_HEARTBEAT_MAX_AGE = 60
    start = clock.now()
    with clock.frozen_at(start):
        Heart("w1").tick(force=True)
        assert client.get("/readyz").status_code == 200
    with clock.frozen_at(start + dt.timedelta(seconds=90)):
        res = client.get("/readyz")
    assert res.status_code == 503
    assert res.json()["checks"]["worker"]["detail"].startswith("last heartbeat 90 s ago")

    heart = Heart("w2")
    heart.tick(force=True)
    assert client.get("/readyz").status_code == 200
    heart.stop()  # a worker that says goodbye is not counted as alive
    assert WorkerBeat.objects.get(name="w2").stopped_at is not None
    with clock.frozen_at(clock.now() + dt.timedelta(seconds=90)):
        assert client.get("/readyz").status_code == 503


def test_readyz_turns_unready_when_the_outbox_backs_up(cast, api, client, settings):
    Heart("w1").tick(force=True)
    assert api(cast.y).post("/tickets", {**BODY, "customer_org": cast.orgs.lakeside.pk})
    due = Message.objects.filter(state="pending").count()
    assert due >= 1
    settings.READY_OUTBOX_MAX = due - 1
    res = client.get("/readyz")
    assert res.status_code == 503
    assert res.json()["checks"]["outbox"] == {
        "ok": False,
        "detail": f"more than {due - 1} messages due and not sent",
    }
    settings.READY_OUTBOX_MAX = due
    assert client.get("/readyz").status_code == 200


def test_the_heartbeat_is_written_at_most_every_few_seconds(cast, django_assert_num_queries):
    heart = Heart("w1")
    heart.tick(3, force=True)
    with django_assert_num_queries(0):
        heart.tick(2)  # within EVERY seconds of the last write: counted, not written
    beat = WorkerBeat.objects.get(name="w1")
    assert (beat.passes, beat.done) == (1, 3)
    heart.tick(0, force=True)
    beat.refresh_from_db()
    assert (beat.passes, beat.done) == (3, 5)


# ------------------------------------------------------------------ metrics
def test_metrics_follow_what_happens(chains, cast, api):
    before = scrape()
    p1 = ("caredesk_tickets_open", (("severity", "P1"),))
    assert before.get(p1, 0) == 0
    res = api(cast.y).post("/tickets", {**BODY, "customer_org": cast.orgs.lakeside.pk})
    assert res.status_code == 201, res.content

    after = scrape()
    assert after[p1] == before.get(p1, 0) + 1
    pending = sum(
        v
        for (name, labels), v in after.items()
        if name == "caredesk_outbox_messages" and ("state", "pending") in labels
    )
    assert pending == Message.objects.filter(state="pending").count() > 0
    assert after[("caredesk_metrics_errors", ())] == 0

    # Overnight without a worker: the P1's clocks breach and its chain is late.
    with clock.frozen_at(clock.now() + dt.timedelta(hours=8)):
        late = scrape()
        assert late[("caredesk_timers_due", ())] > 0
        assert late[("caredesk_worker_lag_seconds", ())] > 3600
        while run_due(worker="test"):
            pass
        caught_up = scrape()
    assert caught_up[("caredesk_timers_due", ())] == 0
    assert caught_up[("caredesk_worker_lag_seconds", ())] == 0
    assert caught_up[("caredesk_tickets_breached", (("severity", "P1"),))] == 1
    fired = caught_up[("caredesk_escalation_steps_total", (("outcome", "fired"),))]
    assert fired == DueAction.objects.filter(kind="escalation.step", outcome="fired").count() > 0
    breached = sum(v for (n, _l), v in caught_up.items() if n == "caredesk_clocks_breached")
    assert breached >= 1


def test_metrics_name_each_running_worker_with_its_heartbeat_age(cast):
    Heart("web-1:42").tick(7, force=True)
    figures = scrape()
    assert figures[("caredesk_workers_alive", ())] == 1
    assert figures[("caredesk_worker_rows_done_total", (("worker", "web-1:42"),))] == 7
    assert figures[("caredesk_worker_heartbeat_age_seconds", (("worker", "web-1:42"),))] < 5


def test_metrics_answer_only_the_allow_list_or_the_token(cast, settings):
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    settings.METRICS_ALLOW = ["203.0.113.0/24"]
    scrape(REMOTE_ADDR="203.0.113.7")
    assert Client().get("/metrics").status_code == 404  # loopback is no longer listed

    settings.METRICS_TOKEN = "s3cret-scrape-token"
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer wrong"}, {"HTTP_AUTHORIZATION": "s3cret"}):
        assert Client().get("/metrics", REMOTE_ADDR="203.0.113.7", **headers).status_code == 404
    scrape(REMOTE_ADDR="198.51.100.1", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")


# ------------------------------------------------------------------ the request id
def test_every_answer_carries_a_request_id_and_a_plain_given_one_is_kept(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-7f3a.1")["X-Request-ID"] == (
        "nginx-7f3a.1"
    )
    odd = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith a newline")["X-Request-ID"]
    assert odd != "bad id\nwith a newline" and len(odd) == 32
    assert client.get("/nowhere/")["X-Request-ID"]  # a 404 too


def _rendered(record: logging.LogRecord) -> dict:
    """The line as the configured console handler writes it (JSON by default)."""
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    return json.loads(console.formatter.format(record))


def test_the_request_id_reaches_the_worker_lines_of_what_the_request_caused(
    chains, cast, api, caplog
):
    res = api(cast.y).client.post(
        "/api/v1/tickets",
        data=json.dumps({**BODY, "customer_org": cast.orgs.lakeside.pk}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-from-nginx-1",
    )
    assert res.status_code == 201 and res["X-Request-ID"] == "req-from-nginx-1"
    ticket = Ticket.objects.get(number=res.json()["number"])
    queued = list(Message.objects.filter(topic=f"ticket:{ticket.pk}"))
    assert queued and {m.request_id for m in queued} == {"req-from-nginx-1"}
    steps = DueAction.objects.filter(done_at__isnull=True)
    assert steps and {a.request_id for a in steps} == {"req-from-nginx-1"}

    with caplog.at_level(logging.INFO):
        assert delivery.deliver_due(worker="w-test") >= len(queued)
        with clock.frozen_at(clock.now() + dt.timedelta(hours=1)):
            while run_due(worker="w-test"):
                pass
    tried = [_rendered(r) for r in caplog.records if r.name == "caredesk.outbox"]
    assert {line["message"] for line in tried} >= {m.pk for m in queued}
    assert all(line["request_id"] == "req-from-nginx-1" for line in tried)
    assert all(line["event"] == "message tried" and line["level"] == "info" for line in tried)
    done = [_rendered(r) for r in caplog.records if r.name == "caredesk.timers"]
    assert done and all(line["request_id"] == "req-from-nginx-1" for line in done)
    # What those timers queued in turn (the escalation's messages) is traced back too.
    later = Message.objects.filter(topic=f"ticket:{ticket.pk}").exclude(
        pk__in=[m.pk for m in queued]
    )
    assert later and {m.request_id for m in later} == {"req-from-nginx-1"}


def test_a_log_line_outside_any_request_has_no_request_id(caplog):
    with caplog.at_level(logging.WARNING):
        logging.getLogger("caredesk.somewhere").warning("plain %s", "line")
    line = _rendered(caplog.records[-1])
    assert line["event"] == "plain line" and "request_id" not in line
