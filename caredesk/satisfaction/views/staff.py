"""The staff's survey pages: the surveys sent with their answers and the response rate per
office (filters in the URL), and the follow-ups of low scores, each closed with a note or
turned into a complaint. Thin: read through the selectors, act through the verbs; a refused
verb shows its reason on the page under its own 4xx status."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from caredesk import clock, pagekit
from caredesk.directory import refdata
from caredesk.errors import DomainError, NotFound, ValidationFailed
from caredesk.inputs import parse_id
from caredesk.web.export import export_response

from .. import policy, selectors, services
from ..models import DIMENSIONS, Answer, FollowUpStatus
from .forms import CloseForm


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


def _filters(request) -> selectors.SurveyFilters:
    get = request.GET
    state = get.get("state", "")
    about = get.get("about", "")
    half = get.get("half", "")
    if half:
        try:
            selectors.half_bounds(half)
        except ValidationFailed:
            half = ""
    return selectors.SurveyFilters(
        office=parse_id(get.get("office")),
        state=state if state in selectors.STATES else "",
        about=about if about in ("ticket", "complaint") else "",
        half=half,
    )


def _offices(person) -> list:
    """The offices the reader may filter by: theirs and those below it."""
    found = [refdata.organisation(pk) for pk in refdata.subtree(person.organisation_id)]
    return [o for o in found if o is not None and o.kind == "vendor_office"]


@login_required
def surveys(request):
    if not policy.reads_surveys(request.user):
        return _not_found(request)
    filters = _filters(request)
    (rows, cursor), status = pagekit.list_page(
        request, lambda c: selectors.survey_page(request.user, filters, c)
    )
    context = {
        "rows": rows,
        "next_cursor": cursor,
        "filters": filters,
        "query": urlencode(filters.as_query()),
        "dimensions": [Answer._meta.get_field(d).verbose_name for d in DIMENSIONS],
        "rates": selectors.response_rates(request.user, half=filters.half, office=filters.office),
        "offices": _offices(request.user),
        "halves": _halves(),
        "open_follow_ups": selectors.follow_ups_visible_to(
            request.user, FollowUpStatus.OPEN
        ).count(),
    }
    return render(request, "satisfaction/surveys.html", context, status=status)


EXPORT_CHUNK = 2000


def export_header() -> list[str]:
    """The columns of a survey export (the page's and the API's)."""
    return [
        _("Sent"),
        _("About"),
        _("Ticket"),
        _("Customer"),
        _("Contact"),
        _("Engineer"),
        _("Office"),
        _("Answered"),
        *(str(Answer._meta.get_field(d).verbose_name) for d in DIMENSIONS),
        _("Problem solved"),
        _("Low score"),
        _("Comment"),
    ]


def export_rows(surveys):
    for s in surveys.iterator(chunk_size=EXPORT_CHUNK):
        answer = getattr(s, "answer", None) if s.answered_at else None
        yield [
            s.sent_at,
            s.get_subject_kind_display(),
            s.ticket.number if s.ticket_id else "",
            s.customer_org.name,
            s.contact.name,
            s.engineer.name if s.engineer_id else "",
            s.office.name,
            s.answered_at,
            *(getattr(answer, d) if answer else None for d in DIMENSIONS),
            (_("Yes") if answer.solved else _("No")) if answer else "",
            (_("Yes") if answer.low else _("No")) if answer else "",
            answer.comment if answer else "",
        ]


@login_required
def survey_export(request, fmt):
    """The surveys list as CSV or xlsx, with its filters: every survey the reader may see,
    streamed (the response rates stay on the page)."""
    if not policy.reads_surveys(request.user):
        return _not_found(request)
    surveys = (
        selectors.surveys_visible_to(request.user, _filters(request))
        .select_related(*selectors.RELATED)
        .order_by("-id")
    )
    return export_response(
        fmt, name="surveys", header=export_header(), rows=lambda: export_rows(surveys)
    )


def _halves() -> list[str]:
    year = clock.now().year
    return [f"{y}H{h}" for y in (year, year - 1) for h in (2, 1)]


# ---------------------------------------------------------------- follow-ups


def complaint_opener():
    """The complaints app's verb that opens a complaint from a low score, when it exists on
    this installation (caredesk.complaints is built beside this app); None hides the button."""
    try:
        from caredesk.complaints import services as complaint_services
    except ImportError:
        return None
    return getattr(complaint_services, "open_complaint", None)


def _follow_up_rows(request, status):
    person = request.user
    (rows, cursor), code = pagekit.list_page(
        request, lambda c: selectors.follow_up_page(person, status, c)
    )
    return (
        [{"follow_up": f, "can_work": f.is_open and policy.can_work(person, f)} for f in rows],
        cursor,
        code,
    )


def _render_follow_ups(request, *, status=200, form_for=None, form=None):
    shown = request.GET.get("status", FollowUpStatus.OPEN)
    shown = shown if shown in FollowUpStatus.values else FollowUpStatus.OPEN
    rows, cursor, code = _follow_up_rows(request, shown)
    context = {
        "rows": rows,
        "next_cursor": cursor,
        "shown": shown,
        "statuses": FollowUpStatus.choices,
        "form_for": form_for,
        "error_form": form,
        "can_make_complaint": complaint_opener() is not None,
        "open_follow_ups": selectors.follow_ups_visible_to(
            request.user, FollowUpStatus.OPEN
        ).count(),
    }
    return render(
        request, "satisfaction/follow_ups.html", context, status=status if status != 200 else code
    )


@login_required
def follow_ups(request):
    if not policy.reads_surveys(request.user):
        return _not_found(request)
    return _render_follow_ups(request)


@login_required
def follow_up_action(request, follow_up_id, action):
    if request.method != "POST":
        return redirect("satisfaction:survey_follow_ups")
    try:
        follow_up = selectors.follow_up_for(request.user, follow_up_id)
    except NotFound:
        return _not_found(request)
    if action == "close":
        form = CloseForm(request.POST)
        if not form.is_valid():
            return _render_follow_ups(request, status=422, form_for=follow_up.pk, form=form)
        try:
            services.close_follow_up(
                actor=request.user,
                follow_up=follow_up,
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
            return _render_follow_ups(
                request, status=pagekit.error_status(exc), form_for=follow_up.pk, form=form
            )
        messages.success(request, _("Follow-up closed."))
        return redirect("satisfaction:survey_follow_ups")
    if action == "complaint" and (opener := complaint_opener()) is not None:
        return _make_complaint(request, follow_up, opener)
    return _not_found(request)


def _make_complaint(request, follow_up, opener):
    """Open a complaint from the low score (the complaints app's verb) and close the follow-up
    naming it, in one transaction: both happen or neither."""
    form = CloseForm({"note": "-", "version": request.POST.get("version")})
    try:
        policy.check_work(request.user, follow_up)
        with transaction.atomic():
            complaint = opener(
                actor=request.user,
                source="survey",
                source_ref=f"survey:{follow_up.survey_id}",
                **_complaint_fields(follow_up),
            )
            services.record_complaint(
                actor=request.user,
                follow_up=follow_up,
                complaint_ref=str(getattr(complaint, "number", "") or getattr(complaint, "pk", "")),
                version=parse_id(request.POST.get("version")),
            )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _render_follow_ups(request, status=pagekit.error_status(exc))
    messages.success(request, _("A complaint was opened from this survey."))
    return redirect("satisfaction:survey_follow_ups")


# The score that was low names the complaint's category (the taxonomy of caredesk.complaints);
# the lowest one decides, "not solved" alone is "other".
_CATEGORY_OF_SCORE = {
    "responsiveness": "slow_response",
    "attitude": "attitude",
    "technical_skill": "technical_skill",
    "communication": "information_not_passed",
}


def _complaint_fields(follow_up) -> dict:
    """What the survey tells a new complaint: who, which ticket, the customer's own words, and
    the category of the lowest score; the handler assesses severity and impact afterwards."""
    from caredesk.complaints.models import Category

    survey = follow_up.survey
    answer = getattr(survey, "answer", None)
    code = "other"
    if answer is not None:
        scores = {name: getattr(answer, name) for name in _CATEGORY_OF_SCORE}
        lowest = min(scores, key=scores.get)
        if scores[lowest] <= 2:
            code = _CATEGORY_OF_SCORE[lowest]
    return {
        "complainant": survey.contact,
        "tickets": [survey.ticket] if survey.ticket_id else [],
        "words": (answer.comment if answer else "") or str(_("Low satisfaction score.")),
        "remedy_sought": str(_("Asked in the satisfaction survey's follow-up call.")),
        "severity": "medium",
        "impact": "one_site",
        "category": Category.objects.get(code=code),
    }
