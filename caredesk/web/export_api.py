"""/api/v1 exports: each list the API serves, as CSV or xlsx, with the list's own filters and
the list's own selector (so a caller exports exactly what the list shows them), streamed by the
pages' writers (caredesk.web.export): no whole file is built in memory.

Mounted before the apps' routers (caredesk/api.py): `/tickets/export` must be tried before
`/tickets/{ticket_id}`, `/surveys/export` before `/surveys/{token}`.
"""

from typing import Literal

from ninja import Field, Query, Router, Schema

from caredesk.apikit import IdParam, error_responses
from caredesk.complaints.schemas import SeverityIn as ComplaintSeverityIn
from caredesk.complaints.schemas import StatusFilter as ComplaintStatusFilter
from caredesk.complaints.views.queue import export_header as complaint_header
from caredesk.complaints.views.queue import export_rows as complaint_rows
from caredesk.fieldwork.masks import selectors as mask_selectors
from caredesk.fieldwork.views.masks import export_header as mask_header
from caredesk.fieldwork.views.masks import export_rows as mask_rows
from caredesk.satisfaction import policy as survey_policy
from caredesk.satisfaction import selectors as survey_selectors
from caredesk.satisfaction.views.staff import export_header as survey_header
from caredesk.satisfaction.views.staff import export_rows as survey_rows
from caredesk.tickets import selectors as ticket_selectors
from caredesk.tickets.api import SeverityIn as TicketSeverityIn
from caredesk.tickets.views.export import export_header as ticket_header
from caredesk.tickets.views.export import ticket_rows

from .export import export_response

router = Router(tags=["exports"])

Format = Literal["csv", "xlsx"]
FORMAT = Field("csv", description="csv (UTF-8 with a byte-order mark) or xlsx")

_FILE = {
    200: {
        "description": "The list as a file (Content-Disposition: attachment), streamed.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}
# keyed like Ninja's own responses (an int), so the two merge into one "200"
ANSWERS = {"response": {200: None, **error_responses()}, "openapi_extra": {"responses": _FILE}}


class TicketExportQuery(Schema):
    format: Format = FORMAT
    status: str | None = Field(None, max_length=20)
    owner: IdParam | None = None
    customer_org: IdParam | None = None
    product: IdParam | None = None
    severity: TicketSeverityIn | None = None
    q: str | None = Field(None, max_length=200)


@router.get("/tickets/export", **ANSWERS)
def export_tickets(request, query: Query[TicketExportQuery]):
    """Every ticket GET /tickets shows the caller under the same filters, newest first."""
    filters = ticket_selectors.TicketFilters(
        status=query.status,
        owner=query.owner,
        customer_org=query.customer_org,
        product=query.product,
        severity=query.severity,
        q=query.q,
    )
    tickets = ticket_selectors.tickets_visible_to(request.auth, filters)
    return export_response(
        query.format, name="tickets", header=ticket_header(), rows=lambda: ticket_rows(tickets)
    )


class ComplaintExportQuery(Schema):
    format: Format = FORMAT
    scope: str = Field("all", pattern="^(mine|all)$", description="mine: those I handle")
    status: ComplaintStatusFilter = "open"
    category: str = Field("", max_length=40)
    severity: ComplaintSeverityIn | None = None


@router.get("/complaints/export", **ANSWERS)
def export_complaints(request, query: Query[ComplaintExportQuery]):
    """Every complaint GET /complaints shows the caller under the same filters, in its order."""
    person = request.auth
    filters = (query.scope, query.status, query.category, query.severity or "")
    return export_response(
        query.format,
        name="complaints",
        header=complaint_header(),
        rows=lambda: complaint_rows(person, *filters),
    )


class MaskExportQuery(Schema):
    format: Format = FORMAT
    customer: IdParam | None = None
    element: str = Field("", max_length=200)
    active: bool | None = None
    change: IdParam | None = None


@router.get("/masks/export", **ANSWERS)
def export_masks(request, query: Query[MaskExportQuery]):
    """Every masking rule GET /masks shows the caller under the same filters, newest first."""
    rules = (
        mask_selectors.rules_visible_to(
            request.auth,
            customer_org_id=query.customer,
            element=query.element.strip(),
            active=query.active,
            change_id=query.change,
        )
        .select_related("customer_org", "owner", "change")
        .order_by("-id")
    )
    return export_response(
        query.format, name="masks", header=mask_header(), rows=lambda: mask_rows(rules)
    )


class SurveyExportQuery(Schema):
    format: Format = FORMAT
    office: IdParam | None = None
    state: str = Field("", pattern=r"^(|answered|unanswered|low)$")
    about: str = Field("", pattern=r"^(|ticket|complaint)$")
    half: str = Field("", pattern=r"^(|[0-9]{4}H[12])$", description="e.g. 2026H2")


@router.get(
    "/surveys/export",
    response={200: None, **error_responses(403)},
    openapi_extra=ANSWERS["openapi_extra"],
)
def export_surveys(request, query: Query[SurveyExportQuery]):
    """Every survey GET /surveys shows the caller under the same filters, newest first, with
    its answers (staff who read surveys only, as the list)."""
    survey_policy.check_reads_surveys(request.auth)
    filters = survey_selectors.SurveyFilters(
        office=query.office, state=query.state, about=query.about, half=query.half
    )
    surveys = (
        survey_selectors.surveys_visible_to(request.auth, filters)
        .select_related(*survey_selectors.RELATED)
        .order_by("-id")
    )
    return export_response(
        query.format, name="surveys", header=survey_header(), rows=lambda: survey_rows(surveys)
    )
