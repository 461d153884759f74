"""The complaints queue (handlers and managers: nearest deadline first, filters in the URL)
and an engineer's or partner's complaint history."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from caredesk import clock
from caredesk.directory.models import Person, Role
from caredesk.errors import ValidationFailed

from .. import selectors
from ..models import Category, Severity, Status

SCOPES = ("mine", "all")


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def _after(request, status: str):
    raw = request.GET.get("after", "")
    if not raw:
        return None
    try:
        return selectors.parse_cursor(raw, status)
    except ValidationFailed:
        return None


@login_required
def complaint_queue(request):
    person = request.user
    if person.is_customer:
        return _not_found(request)
    scope = request.GET.get("scope") or ("mine" if person.role != Role.HOTLINE_AGENT else "all")
    scope = scope if scope in SCOPES else "mine"
    status = request.GET.get("status", "open")
    status = status if status in ("open", "all", *Status.values) else "open"
    category = request.GET.get("category", "")
    severity = request.GET.get("severity", "")
    severity = severity if severity in Severity.values else ""
    rows = selectors.queue(
        person,
        scope=scope,
        status=status,
        category=category,
        severity=severity,
        after=_after(request, status),
        limit=selectors.QUEUE_SIZE + 1,
    )
    more = len(rows) > selectors.QUEUE_SIZE
    rows = rows[: selectors.QUEUE_SIZE]
    next_after = selectors.cursor_of(rows[-1], status) if more else ""
    context = {
        "rows": rows,
        "now": clock.now(),
        "scope": scope,
        "status": status,
        "category": category,
        "severity": severity,
        "categories": Category.objects.filter(active=True, parent__isnull=True),
        "severities": Severity.choices,
        "statuses": Status.choices,
        "next_after": next_after,
    }
    return render(request, "complaints/queue.html", context)


@login_required
def complaint_history(request, person_id):
    """Complaints about one engineer's or partner engineer's work, as far as the reader may
    see them. A partner sees only his own page."""
    reader = request.user
    subject = Person.objects.filter(
        pk=person_id, role__in=[Role.ENGINEER, Role.PARTNER_ENGINEER]
    ).first()
    if reader.is_customer or subject is None:
        return _not_found(request)
    if reader.role == Role.PARTNER_ENGINEER and subject.pk != reader.pk:
        return _not_found(request)
    rows = selectors.history_of(reader, subject)
    return render(
        request,
        "complaints/history.html",
        {"subject": subject, "rows": rows, "now": clock.now()},
    )
