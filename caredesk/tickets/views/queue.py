"""The staff workbench (工作台): my tickets, hand-offs waiting for me, my team's, all I can see
— most urgent first by default (tickets.sorting), every column that has an order sortable,
paged by Next and by number, filters and search in the URL."""

import dataclasses

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from caredesk.errors import ValidationFailed
from caredesk.escalation import clocks
from caredesk.pagekit import PAGE_SIZE
from caredesk.tickets import selectors, sorting
from caredesk.tickets.models import Severity, Status

# The queue's columns in order: (key, header, sort on the first click, on the second click).
QUEUE_COLUMNS = (
    ("number", gettext_lazy("Number"), "newest", "oldest"),
    ("severity", gettext_lazy("Sev."), "severity", None),
    ("customer", gettext_lazy("Customer"), None, None),
    ("title", gettext_lazy("Title"), None, None),
    ("owner", gettext_lazy("Owner"), None, None),
    ("status", gettext_lazy("Status"), "status", None),
    ("due", gettext_lazy("Time limit"), "urgency", None),
    ("opened", gettext_lazy("Opened"), "newest", "oldest"),
    ("updated", gettext_lazy("Updated"), "updated", None),
)
SORT_LABELS = {
    "urgency": gettext_lazy("Most urgent first"),
    "newest": gettext_lazy("Newest first"),
    "oldest": gettext_lazy("Oldest first"),
    "severity": gettext_lazy("By severity"),
    "status": gettext_lazy("By status"),
    "updated": gettext_lazy("Recently updated"),
}
DESCENDING = {"newest", "updated"}


def _queue_header(params: dict, sort: str, allowed: tuple[str, ...], searching: bool) -> list:
    """Each column's header: its link to the order it sorts by (none where the list cannot be
    read in that order: search results, closed tickets by severity…), and whether the list is
    in that order now (and which way)."""
    header = []
    for key, label, first, second in QUEUE_COLUMNS:
        target = second if sort == first and second else first
        active = not searching and first is not None and sort in (first, second)
        usable = not searching and target in allowed
        header.append(
            {
                "key": key,
                "label": label,
                "url": "?" + urlencode({**params, "sort": target}) if usable else None,
                "active": active,
                "descending": sort in DESCENDING,
            }
        )
    return header


def queue_filters(request) -> tuple[str, str, str, str, selectors.TicketFilters]:
    """The tab, search, status and severity of the queue's URL, and the filters they mean: the
    page and its export read the same ones."""
    person = request.user
    tab = request.GET.get("tab", "mine")
    # No stored text holds a NUL (inputs.text_problem refuses it), and PostgreSQL cannot
    # compare with one.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    status = request.GET.get("status", "open")
    severity = request.GET.get("severity", "")
    status = status if status in {"open", "", *Status.values} else "open"
    severity = severity if severity in Severity.values else ""
    filters = selectors.TicketFilters(status=status or None, severity=severity or None, q=q or None)
    if tab == "team":
        team_ids = list(person.teams.values_list("pk", flat=True))
        filters = dataclasses.replace(filters, team=team_ids)
    elif tab == "mine":
        filters = dataclasses.replace(filters, owner=person.pk)
    return tab, q, status, severity, filters


@login_required
def queue(request):
    person = request.user
    if person.is_customer:
        return redirect("tickets:portal")
    tab, q, status, severity, filters = queue_filters(request)
    waiting = list(selectors.handoffs_waiting_for(person))
    allowed = sorting.sorts_for(selectors.shows_open_only(filters))
    sort = request.GET.get("sort") or allowed[0]
    sort = sort if sort in allowed else allowed[0]
    page, error, answer = None, None, 200
    if tab != "handoffs":

        def fetch(cursor, number):
            return selectors.list_page(
                person, filters, sort=sort, cursor=cursor, page=number, limit=PAGE_SIZE
            )

        try:
            page = fetch(
                request.GET.get("cursor") or None, sorting.parse_page(request.GET.get("page"))
            )
        except ValidationFailed as exc:  # a page number out of range, an edited cursor
            # The first page, with what was wrong on top, under the refusal's status: a bad
            # link never leaves the person with an empty queue.
            error = next(iter(exc.fields.values()), str(exc.message))
            answer = 400
            page = fetch(None, None)
    rows = page.rows if page else []
    params = {"tab": tab, "q": q, "status": status, "severity": severity}
    here = {**params, "sort": page.sort if page else sort}
    context = {
        "tab": tab,
        "rows": rows,
        "nearest": clocks.nearest_for([t.pk for t in rows]),
        "page": page,
        "next_url": "?" + urlencode({**here, "cursor": page.next_cursor})
        if page and page.next_cursor
        else None,
        "previous_url": "?" + urlencode({**here, "page": page.number - 1})
        if page and 1 < page.number <= sorting.MAX_PAGE + 1
        else None,
        "first_url": "?" + urlencode(here),
        "export_query": urlencode(params),
        "error": error,
        "waiting": waiting,
        "q": q,
        "status": status,
        "severity": severity,
        "sort": page.sort if page else sort,
        "sorts": [(s, SORT_LABELS[s]) for s in allowed],
        "header": _queue_header(params, page.sort if page else sort, allowed, bool(q)),
        "statuses": Status.choices,
        "severities": Severity.choices,
    }
    template = (
        "tickets/_queue_body.html"
        if request.headers.get("HX-Target") == "queue-body"
        else ("tickets/queue.html")
    )
    return render(request, template, context, status=answer)
