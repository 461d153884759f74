"""The learning-case pages: the library (tags and words in the URL), a case (a draft's form
for the office's managers, a published one read-only), publishing, generating from a closed
complaint, and the "similar cases" block the complaint page loads (HTMX, on load) — so the
complaints app, a floor below, names only this block's URL in its template and imports
nothing from here. Thin: parse a form, call a verb; a refused verb is a form error."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk.complaints import selectors as complaint_selectors
from caredesk.complaints.models import ENDED_STATUSES, Category
from caredesk.directory.models import Product
from caredesk.errors import DomainError, NotFound

from . import policy, replay, selectors, services
from .models import CaseStatus, LearningCase
from .reporting import tags_of
from .services import Limits

PAGE_SIZE = 50


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


class CaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=Limits.TITLE)
    customer_voice = forms.CharField(
        label=gettext_lazy("Customer voice"),
        max_length=Limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    analysis = forms.CharField(
        label=gettext_lazy("Analysis"),
        max_length=Limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    lessons = forms.CharField(
        label=gettext_lazy("Lessons"),
        max_length=Limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    actions = forms.CharField(
        label=gettext_lazy("Corrective actions (one a line)"),
        required=False,
        max_length=Limits.ACTION * Limits.ACTIONS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _add_errors(form, error: DomainError) -> None:
    placed = False
    for field, message in error.fields.items():
        name = field.split(".")[0]
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed or not error.fields:
        form.add_error(None, str(error.message))


@login_required
def case_library(request):
    person = request.user
    if not policy.is_staff(person):
        return _not_found(request)
    g = request.GET
    filters = {k: g.get(k, "")[:200] for k in ("q", "category", "root_cause", "product", "status")}
    found = selectors.library(person, **filters)
    try:
        page = max(1, min(int(g.get("page", "1")), 1000))
    except ValueError:
        page = 1
    rows = list(found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "cases/library.html",
        {
            "rows": [(c, tags_of(c)) for c in rows[:PAGE_SIZE]],
            "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
            "filters": filters,
            "categories": Category.objects.filter(parent__isnull=True, active=True),
            "products": Product.objects.all(),
            "statuses": CaseStatus.choices,
        },
    )


def _case_context(request, case: LearningCase, form=None) -> dict:
    editable = not case.is_published and policy.can_write(request.user, case)
    if editable and form is None:
        form = CaseForm(
            initial={
                "version": case.version,
                "title": case.title,
                "customer_voice": case.customer_voice,
                "analysis": case.analysis,
                "lessons": case.lessons,
                "actions": "\n".join(case.actions),
            }
        )
    return {
        "case": case,
        "tags": tags_of(case),
        "replay": [replay.told(i) for i in case.replay],
        "editable": editable,
        "form": form,
    }


@login_required
def case_page(request, case_id: int):
    try:
        case = selectors.case_for(request.user, case_id)
    except NotFound:
        return _not_found(request)
    if request.method != "POST":
        return render(request, "cases/case.html", _case_context(request, case))
    form = CaseForm(request.POST)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        changes = {k: d[k] for k in ("title", "customer_voice", "analysis", "lessons")}
        changes["actions"] = [a.strip() for a in d["actions"].splitlines() if a.strip()]
        try:
            services.edit_case(actor=request.user, case=case, version=d["version"], changes=changes)
        except DomainError as error:
            _add_errors(form, error)
            status = error.status
        else:
            messages.success(request, _("The case is saved."))
            return redirect("cases:case_page", case_id=case.pk)
    case = selectors.case_for(request.user, case_id)
    return render(request, "cases/case.html", _case_context(request, case, form), status=status)


@login_required
@require_POST
def case_publish(request, case_id: int):
    try:
        case = selectors.case_for(request.user, case_id)
    except NotFound:
        return _not_found(request)
    try:
        version = int(request.POST.get("version", "")) if request.POST.get("version") else None
        services.publish_case(actor=request.user, case=case, version=version)
    except (DomainError, ValueError) as error:
        message = getattr(error, "message", _("The request cannot be carried out."))
        form = None
        ctx = _case_context(request, case, form)
        ctx["publish_error"] = str(message)
        return render(request, "cases/case.html", ctx, status=getattr(error, "status", 400))
    messages.success(request, _("The case is published; it is now read-only."))
    return redirect("cases:case_page", case_id=case.pk)


@login_required
@require_POST
def case_generate(request, number: str):
    """A draft from the closed complaint `number` (the button of the similar-cases block)."""
    try:
        complaint = complaint_selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    if not policy.is_staff(request.user):
        return _not_found(request)
    try:
        case = services.generate_case(actor=request.user, complaint=complaint)
    except DomainError as error:
        back = reverse("complaints:complaint_page", args=[number])
        ctx = {"message": error.message, "back": back}
        return render(request, "cases/refused.html", ctx, status=error.status)
    return redirect("cases:case_page", case_id=case.pk)


@login_required
def case_similar(request, number: str):
    """The block beside a complaint: published cases like it, and (for its office's manager,
    once the complaint ended) the button that makes its own case."""
    try:
        complaint = complaint_selectors.complaint_for(request.user, number=number)
    except NotFound:
        return _not_found(request)
    similar = []
    can_generate = False
    own = None
    if policy.is_staff(request.user):
        similar = [
            {**s, "tags": tags_of(s["case"])}
            for s in selectors.similar_to_complaint(request.user, complaint)
        ]
        own = selectors.cases_visible_to(request.user).filter(complaint=complaint).first()
        can_generate = (
            own is None
            and complaint.status in ENDED_STATUSES
            and policy.is_manager_for(request.user, complaint.office_id)
        )
    return render(
        request,
        "cases/_similar.html",
        {
            "similar": similar,
            "complaint": complaint,
            "own": own,
            "can_generate": can_generate,
            "staff": policy.is_staff(request.user),
        },
    )
