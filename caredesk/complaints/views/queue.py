"""The complaints queue (handlers and managers: nearest deadline first, filters in the URL)
and an engineer's or partner's complaint history."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from caredesk import clock
from caredesk.directory.models import Person, Role
from caredesk.errors import ValidationFailed
from caredesk.web.export import export_response

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


def queue_filters(request) -> tuple[str, str, str, str]:
    """The scope, status, category and severity in the queue's URL (the page's and its
    export's)."""
    person = request.user
    scope = request.GET.get("scope") or ("mine" if person.role != Role.HOTLINE_AGENT else "all")
    scope = scope if scope in SCOPES else "mine"
    status = request.GET.get("status", "open")
    status = status if status in ("open", "all", *Status.values) else "open"
    category = request.GET.get("category", "")
    severity = request.GET.get("severity", "")
    severity = severity if severity in Severity.values else ""
    return scope, status, category, severity


def export_rows(person, scope, status, category, severity):
    """Every complaint of the queue's filters, page after page of the queue's own selector."""
    after = None
    while True:
        page = selectors.queue(
            person,
            scope=scope,
            status=status,
            category=category,
            severity=severity,
            after=after,
            limit=selectors.QUEUE_SIZE,
        )
        for c in page:
            yield [
                c.number,
                c.get_severity_display(),
                c.get_status_display(),
                c.customer_org.name if c.customer_org_id else "",
                c.complainant_name,
                c.category.local_name if c.category_id else "",
                c.handler.name if c.handler_id else "",
                c.received_at,
            ]
        if len(page) < selectors.QUEUE_SIZE:
            return
        after = selectors.parse_cursor(selectors.cursor_of(page[-1], status), status)


def export_header() -> list[str]:
    """The columns of a complaint export (the page's and the API's)."""
    return [
        _("Number"),
        _("Severity"),
        _("Status"),
        _("Customer"),
        _("Complainant"),
        _("Category"),
        _("Handler"),
        _("Received"),
    ]


@login_required
def complaint_export(request, fmt):
    """The queue as CSV or xlsx, with its filters, every complaint the reader may see."""
    person = request.user
    if person.is_customer:
        return _not_found(request)
    filters = queue_filters(request)
    return export_response(
        fmt, name="complaints", header=export_header(), rows=lambda: export_rows(person, *filters)
    )


@login_required
def complaint_queue(request):
    person = request.user
    if person.is_customer:
        return _not_found(request)
    scope, status, category, severity = queue_filters(request)
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
        "export_query": urlencode(
            {"scope": scope, "status": status, "category": category, "severity": severity}
        ),
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
