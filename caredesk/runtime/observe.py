"""What operators watch: readiness checks and the domain figures Prometheus scrapes.

Both are read at request time with a few aggregate statements each, not kept in memory:
CareDesk runs as several web and worker processes, and the database is where they agree.
"""

import datetime as dt
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from caredesk import clock
from caredesk.complaints.models import Complaint
from caredesk.complaints.models.complaints import OPEN_STATUSES as COMPLAINT_OPEN
from caredesk.escalation.engine import STEP
from caredesk.escalation.models import ClockState, TicketClock
from caredesk.notify.models import Message, MessageState
from caredesk.tickets.models import OPEN_Q, Ticket, Urgency
from caredesk.timers.models import DueAction

from . import heartbeat
from .models import WorkerBeat


# ------------------------------------------------------------------ readiness
@dataclass
class Check:
    name: str
    ok: bool
    detail: str


_migrated = False  # once every migration is applied, this process's code stays applied


def _database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Check("database", False, f"{type(exc).__name__}: {exc}"[:300])
    return Check("database", True, connection.vendor)


def _migrations() -> Check:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
            return Check("migrations", False, f"{len(plan)} not applied: {names}")
        _migrated = True
    return Check("migrations", True, "all applied")


def _worker(now: dt.datetime) -> Check:
    age = heartbeat.freshest(now)
    limit = settings.READY_HEARTBEAT_MAX_AGE
    if age is None:
        return Check("worker", False, "no worker is running (manage.py worker)")
    seconds = max(age.total_seconds(), 0.0)
    if seconds > limit:
        return Check("worker", False, f"last heartbeat {seconds:.0f} s ago (limit {limit} s)")
    return Check("worker", True, f"last heartbeat {seconds:.0f} s ago")


def _outbox(now: dt.datetime) -> Check:
    limit = settings.READY_OUTBOX_MAX
    due = Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now)
    count = due[: limit + 1].count()  # counts no further than the limit
    if count > limit:
        return Check("outbox", False, f"more than {limit} messages due and not sent")
    return Check("outbox", True, f"{count} due")


def readiness() -> list[Check]:
    """Every check, in order; the later ones only when the database answers."""
    first = _database()
    if not first.ok:
        return [first]
    checks = [first, _migrations()]
    if not checks[-1].ok:
        return checks  # the tables the other checks read may not exist yet
    now = clock.now()
    return [*checks, _worker(now), _outbox(now)]


# ------------------------------------------------------------------ who may scrape
def may_scrape(*, authorization: str, remote_addr: str) -> bool:
    """With CAREDESK_METRICS_TOKEN set, only `Authorization: Bearer <token>`; without it, only
    the addresses of CAREDESK_METRICS_ALLOW (default: this machine)."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOW:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            continue
    return False


# ------------------------------------------------------------------ metrics
class DomainCollector(Collector):
    """CareDesk's figures at scrape time. A family whose query fails is left out and counted
    in caredesk_metrics_errors, so one broken table does not blank the scrape."""

    def collect(self):
        started = time.perf_counter()
        now = clock.now()
        errors = 0
        for family in (
            self._tickets,
            self._clocks,
            self._escalations,
            self._outbox,
            self._timers,
            self._workers,
            self._complaints,
        ):
            try:
                yield from family(now)
            except DatabaseError:
                errors += 1
        yield GaugeMetricFamily(
            "caredesk_metrics_errors", "Metric families left out of this scrape", value=errors
        )
        yield GaugeMetricFamily(
            "caredesk_metrics_scrape_seconds",
            "Time this scrape spent reading the database",
            value=time.perf_counter() - started,
        )

    def describe(self):
        return []  # collected per scrape: no fixed description to check at registration

    def _tickets(self, now):
        open_ = GaugeMetricFamily(
            "caredesk_tickets_open", "Open tickets by severity", labels=["severity"]
        )
        breached = GaugeMetricFamily(
            "caredesk_tickets_breached",
            "Open tickets with a breached SLA clock, by severity",
            labels=["severity"],
        )
        rows = (
            Ticket.objects.filter(OPEN_Q)
            .values("severity")
            .annotate(n=Count("id"), b=Count("id", filter=Q(urgency=Urgency.BREACHED)))
        )
        for r in rows:
            open_.add_metric([r["severity"]], r["n"])
            breached.add_metric([r["severity"]], r["b"])
        yield open_
        yield breached

    def _clocks(self, now):
        family = GaugeMetricFamily(
            "caredesk_clocks_breached",
            "SLA clocks past their target and not stopped, by clock",
            labels=["clock"],
        )
        rows = (
            TicketClock.objects.exclude(state=ClockState.STOPPED)
            .filter(breached_at__isnull=False)
            .values("kind")
            .annotate(n=Count("id"))
        )
        for r in rows:
            family.add_metric([r["kind"]], r["n"])
        yield family

    def _escalations(self, now):
        family = CounterMetricFamily(
            "caredesk_escalation_steps",
            "Escalation steps finished, by outcome (fired, skipped, cancelled …)",
            labels=["outcome"],
        )
        rows = (
            DueAction.objects.filter(kind=STEP, done_at__isnull=False)
            .values("outcome")
            .annotate(n=Count("id"))
        )
        for r in rows:
            family.add_metric([r["outcome"] or "none"], r["n"])
        yield family

    def _outbox(self, now):
        family = GaugeMetricFamily(
            "caredesk_outbox_messages",
            "Messages waiting (pending) or given up (dead), by channel",
            labels=["channel", "state"],
        )
        rows = (
            Message.objects.filter(state__in=[MessageState.PENDING, MessageState.DEAD])
            .values("channel", "state")
            .annotate(n=Count("id"))
        )
        for r in rows:
            family.add_metric([r["channel"], r["state"]], r["n"])
        yield family
        oldest = Message.objects.filter(
            state=MessageState.PENDING, next_attempt_at__lte=now
        ).aggregate(at=Min("next_attempt_at"))["at"]
        yield GaugeMetricFamily(
            "caredesk_outbox_lag_seconds",
            "How long the oldest due message has waited to be tried (0: none waiting)",
            value=_age(now, oldest),
        )

    def _timers(self, now):
        due = DueAction.objects.filter(done_at__isnull=True, due_at__lte=now)
        figures = due.aggregate(n=Count("id"), at=Min("due_at"))
        yield GaugeMetricFamily(
            "caredesk_timers_due", "Timers due and not yet done", value=figures["n"]
        )
        yield GaugeMetricFamily(
            "caredesk_worker_lag_seconds",
            "How late the oldest due timer is (0: the worker is keeping up)",
            value=_age(now, figures["at"]),
        )

    def _workers(self, now):
        age = GaugeMetricFamily(
            "caredesk_worker_heartbeat_age_seconds",
            "Seconds since each running worker's last heartbeat",
            labels=["worker"],
        )
        done = CounterMetricFamily(
            "caredesk_worker_rows_done",
            "Rows each running worker finished since it started",
            labels=["worker"],
        )
        fresh = 0
        last = heartbeat.last_beats()  # with the beats of workers inside a long import
        for beat in WorkerBeat.objects.filter(stopped_at__isnull=True):
            seconds = _age(now, last.get(beat.name, beat.beat_at))
            age.add_metric([beat.name], seconds)
            done.add_metric([beat.name], beat.done)
            fresh += seconds <= settings.READY_HEARTBEAT_MAX_AGE
        yield age
        yield done
        yield GaugeMetricFamily(
            "caredesk_workers_alive", "Workers with a fresh heartbeat", value=fresh
        )

    def _complaints(self, now):
        open_ = GaugeMetricFamily(
            "caredesk_complaints_open", "Open complaints by severity", labels=["severity"]
        )
        overdue = GaugeMetricFamily(
            "caredesk_complaints_overdue",
            "Open complaints past their nearest deadline, by severity",
            labels=["severity"],
        )
        rows = (
            Complaint.objects.filter(status__in=sorted(COMPLAINT_OPEN))
            .values("severity")
            .annotate(n=Count("id"), late=Count("id", filter=Q(next_due__lt=now)))
        )
        for r in rows:
            open_.add_metric([r["severity"]], r["n"])
            overdue.add_metric([r["severity"]], r["late"])
        yield open_
        yield overdue


def _age(now: dt.datetime, then: dt.datetime | None) -> float:
    return 0.0 if then is None else max((now - then).total_seconds(), 0.0)
