"""Scheduled packs: the monthly pack (the previous month) and the half-year pack (the previous
H1 or H2), built as report runs and then mailed to people as attachments and posted as a link
to group robots (WeCom, DingTalk, Feishu) through the outbox.

The schedules are settings (REPORT_SCHEDULES, see docs/analytics.md), not a table: they change
about once a year, an operator sets them like the other deployment knobs, and so no admin form
can edit them past validation and audit. Each period is sent exactly once: the run of a
(schedule, period) is unique in the database — whichever worker, pass or restart comes first
makes it, every other finds it — and its messages are queued with idempotency keys in the
transaction that marks it done."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from caredesk import clock
from caredesk.directory.models import Person
from caredesk.errors import DomainError
from caredesk.notify import outbox
from caredesk.notify.models import Endpoint, EndpointKind

from . import runs
from .filters import SHANGHAI, filters_from
from .models import ReportRun

log = logging.getLogger(__name__)
KINDS = ("monthly", "half_year")
GROUP_KINDS = (EndpointKind.WECOM, EndpointKind.DINGTALK, EndpointKind.FEISHU)
# How often the worker's loop looks for a period to send (a restart looks at once).
CHECK_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Schedule:
    name: str
    kind: str
    run_as: str
    customer: int | None = None
    office: int | None = None
    language: str = "zh-hans"
    people: tuple[str, ...] = ()
    endpoints: tuple[int, ...] = ()


def parse_schedule(entry: dict) -> Schedule:
    """One entry of REPORT_SCHEDULES; ValueError says what is wrong with it."""
    if not isinstance(entry, dict):
        raise ValueError("each schedule is a JSON object")
    name, kind, run_as = entry.get("name"), entry.get("kind"), entry.get("as")
    if not isinstance(name, str) or not 0 < len(name) <= 64:
        raise ValueError("a schedule needs a name of 1 to 64 characters")
    if kind not in KINDS:
        raise ValueError(f"schedule {name!r}: kind is monthly or half_year")
    if not isinstance(run_as, str) or not run_as:
        raise ValueError(f"schedule {name!r}: 'as' names the username whose figures it shows")
    language = entry.get("language", "zh-hans")
    if language not in runs.LANGUAGES:
        raise ValueError(f"schedule {name!r}: language is zh-hans or en")
    for key in ("customer", "office"):
        if entry.get(key) is not None and not isinstance(entry[key], int):
            raise ValueError(f"schedule {name!r}: {key} is an organisation id")
    people, endpoints = entry.get("people", []), entry.get("endpoints", [])
    if not all(isinstance(p, str) for p in people) or not all(
        isinstance(e, int) for e in endpoints
    ):
        raise ValueError(f"schedule {name!r}: people are usernames, endpoints are ids")
    return Schedule(
        name=name,
        kind=kind,
        run_as=run_as,
        customer=entry.get("customer"),
        office=entry.get("office"),
        language=language,
        people=tuple(people),
        endpoints=tuple(endpoints),
    )


def schedules() -> list[Schedule]:
    """The configured schedules (an entry that does not parse is logged and left out; the
    system check `analytics.E001` names it at start-up)."""
    found = []
    for entry in settings.REPORT_SCHEDULES:
        try:
            found.append(parse_schedule(entry))
        except ValueError as exc:
            log.error("REPORT_SCHEDULES: %s", exc)
    return found


def period_due(kind: str, now: dt.datetime) -> str:
    """The last whole period of `kind` that ended at least REPORT_PACK_DELAY_HOURS ago
    (late records of its last day have that long to land), as a period label."""
    t = (now - dt.timedelta(hours=settings.REPORT_PACK_DELAY_HOURS)).astimezone(SHANGHAI)
    if kind == "monthly":
        return f"{t.year - 1}-12" if t.month == 1 else f"{t.year}-{t.month - 1:02d}"
    return f"{t.year - 1}H2" if t.month <= 6 else f"{t.year}H1"


def start_due_packs(*, now: dt.datetime | None = None) -> int:
    """Queue the run of every schedule whose due period has none yet. Returns how many."""
    now = now or clock.now()
    made = 0
    for schedule in schedules():
        period = period_due(schedule.kind, now)
        if ReportRun.objects.filter(schedule=schedule.name, period=period).exists():
            continue
        person = Person.objects.filter(username=schedule.run_as, is_active=True).first()
        if person is None:
            log.error("schedule %r: no active person %r", schedule.name, schedule.run_as)
            continue
        params = {"period": period, "customer": schedule.customer, "office": schedule.office}
        recipients = {
            "people": list(
                Person.objects.filter(username__in=schedule.people, is_active=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            "endpoints": list(
                Endpoint.objects.filter(pk__in=schedule.endpoints, kind__in=GROUP_KINDS)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
        }
        try:
            with transaction.atomic():
                runs.request_report(
                    actor=person,
                    filters=filters_from(
                        {k: str(v) for k, v in params.items() if v is not None},
                        default_period=period,
                    ),
                    language=schedule.language,
                    schedule=schedule.name,
                    recipients=recipients,
                )
        except IntegrityError:
            continue  # another worker made this period's run a moment ago
        except DomainError as exc:
            log.error("schedule %r: %s %s", schedule.name, exc.message, exc.fields)
            continue
        made += 1
    return made


class _Checks:
    next_at: dt.datetime | None = None


def forget_checks() -> None:
    """As after a restart: the next pass looks for due periods at once."""
    _Checks.next_at = None


def packs_due(*, worker: str, batch: int = 1, lease=None) -> int:
    """The worker's loop: about once a minute, queue the runs of periods now due."""
    now = clock.now()
    if _Checks.next_at is not None and now < _Checks.next_at:
        return 0
    _Checks.next_at = now + CHECK_EVERY
    return start_due_packs(now=now)


def tell_recipients(run: ReportRun) -> int:
    """Queue a done scheduled run's messages: the files mailed to each person frozen on the
    run who may read it (see runs.may_read_run), a link posted to each group robot. Call
    inside the transaction that marks the run done. Returns how many were queued."""
    folder = runs.folder_path(run)
    files = [
        {"path": str(folder / name), "filename": name, "content_type": runs.FILE_KINDS[kind]}
        for kind, name in sorted(run.files.items())
    ]
    context = {
        "period": run.period,
        "schedule": run.schedule,
        "files": [f["filename"] for f in files],
        "url": f"{settings.SITE_URL}/analytics/reports/{run.pk}/",
    }
    topic = f"report:{run.pk}"
    queued = 0
    people = Person.objects.filter(pk__in=run.recipients.get("people", []), is_active=True)
    for person in people.select_related("organisation").order_by("pk"):
        if not runs.may_read_run(person, run):
            log.warning("report %s: %s may not read it; not mailed", run.pk, person.username)
            continue
        queued += bool(
            outbox.enqueue(
                channel="email",
                recipient=person,
                template="report_pack",
                key=f"report:{run.pk}:p{person.pk}",
                context=context,
                language=person.language,
                topic=topic,
                attachments=files,
            )
        )
    groups = Endpoint.objects.filter(pk__in=run.recipients.get("endpoints", []), active=True)
    for endpoint in groups.order_by("pk"):
        queued += bool(
            outbox.enqueue(
                channel=endpoint.kind,
                endpoint=endpoint,
                address=endpoint.name,
                template="report_pack_link",
                key=f"report:{run.pk}:e{endpoint.pk}",
                context=context,
                language=run.language,
                topic=topic,
            )
        )
    return queued
