"""The hand-over's pages: the report (filters customer / region / at in the URL), its printable
view, a shift change's notice with the acknowledge button, and the shift schedules (managers).
Thin: parse the URL or a form, call a selector or a verb; a refusal comes back on the same
page as a form error under its own 4xx status."""

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import clock, pagekit
from caredesk.directory.models import Organisation, Person, Region
from caredesk.errors import DomainError, NotFound

from . import policy, selectors, services
from .api import notice_for
from .models import ShiftSchedule


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


class ReportFilters(forms.Form):
    # Ids, not choices: a customer outside the reader's list answers "not found" (the
    # scope check), never a form error that would tell it exists.
    customer = forms.IntegerField(
        label=gettext_lazy("Customer"), required=False, min_value=1, widget=forms.Select
    )
    region = forms.IntegerField(
        label=gettext_lazy("Region"), required=False, min_value=1, widget=forms.Select
    )
    at = forms.DateTimeField(
        label=gettext_lazy("At"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].widget.choices = [("", "—")] + [(o.pk, o.name) for o in customers]
        regions = sorted(_regions(), key=lambda r: r[1])
        self.fields["region"].widget.choices = [("", "—")] + regions
        _styled(self)


def _styled(form) -> None:
    for f in form.fields.values():
        select = isinstance(f.widget, forms.Select)
        f.widget.attrs["class"] = (
            "form-select form-select-sm" if select else "form-control form-control-sm"
        )


def _regions():
    return [(r.pk, str(r)) for r in Region.objects.all()]


def _report_context(request):
    """(context, status) of the report page and its printable view."""
    person = request.user
    if not policy.may_use(person):
        return None, 404
    customers = selectors.customers_for(person)
    form = ReportFilters(request.GET or None, customers=customers)
    context = {"form": form, "report": None}
    if not request.GET:
        return context, 200
    if not form.is_valid():
        return context, 400
    data = form.cleaned_data
    if data["customer"] is None and data["region"] is None:
        form.add_error("customer", _("Choose a customer or a region."))
        return context, 400
    try:
        scope = selectors.scope_for(
            person, customer_org_id=data["customer"], region_id=data["region"]
        )
    except NotFound:
        return None, 404
    report = selectors.handover_report(person, scope, at=data["at"] or clock.now())
    context.update(report=report, query=request.GET.urlencode())
    return context, 200


@login_required
def handover_page(request):
    context, status = _report_context(request)
    if context is None:
        return _not_found(request)
    return render(request, "handover/report.html", context, status=status)


@login_required
def handover_print(request):
    context, status = _report_context(request)
    if context is None or (status == 200 and context["report"] is None):
        return _not_found(request) if context is None else redirect("handover:handover")
    return render(request, "handover/print.html", context, status=status)


# ---------------------------------------------------------------- a shift change's notice


def _notice_context(request, notice):
    mine = next(r for r in notice.recipients.all() if r.person_id == request.user.pk)
    counts = notice.summary.get("counts", {})
    if request.user.is_customer:
        counts = {k: v for k, v in counts.items() if k in services.CUSTOMER_COUNTS}
    schedule = notice.schedule
    query = {"customer": schedule.customer_org_id or "", "region": schedule.region_id or ""}
    local = timezone.localtime(notice.shift_at).strftime("%Y-%m-%dT%H:%M")
    return {
        "notice": notice,
        "mine": mine,
        "counts": counts,
        "labels": COUNT_LABELS,
        "report_link": None
        if request.user.is_customer
        else f"/handover/?customer={query['customer']}&region={query['region']}&at={local}",
    }


COUNT_LABELS = {
    "active_masks": gettext_lazy("Active masking rules"),
    "expiring_masks": gettext_lazy("Masking ending in this shift"),
    "unauthorised": gettext_lazy("Unauthorised silences"),
    "changes_in_progress": gettext_lazy("Changes in progress"),
    "changes_ended": gettext_lazy("Changes ended in the last shift"),
    "changes_due": gettext_lazy("Changes due in this shift"),
    "urgent_tickets": gettext_lazy("Open P1/P2 tickets"),
    "breached_clocks": gettext_lazy("Breached clocks"),
    "at_risk_clocks": gettext_lazy("Clocks at risk"),
    "visits_unresolved": gettext_lazy("Visits left unresolved"),
}


@login_required
def notice_page(request, notice_id):
    try:
        notice = notice_for(request.user, notice_id)
    except NotFound:
        return _not_found(request)
    return render(request, "handover/notice.html", _notice_context(request, notice))


@login_required
def notice_acknowledge(request, notice_id):
    if request.method != "POST":
        return redirect("handover:handover_notice", notice_id=notice_id)
    try:
        notice = notice_for(request.user, notice_id)
        services.acknowledge(actor=request.user, notice=notice)
    except NotFound:
        return _not_found(request)
    messages.success(request, _("Hand-over acknowledged."))
    return redirect("handover:handover_notice", notice_id=notice_id)


# ---------------------------------------------------------------- shift schedules

_SLOT_LINE = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s+(.+)$")


class ScheduleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    customer = forms.TypedChoiceField(
        label=gettext_lazy("Customer"), coerce=int, required=False, empty_value=None
    )
    region = forms.TypedChoiceField(
        label=gettext_lazy("Region"), coerce=int, required=False, empty_value=None
    )
    slots = forms.CharField(
        label=gettext_lazy("Shifts: one a line, the start time then the people's user names"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "08:00 engineer.b\n20:00 engineer.c partner.d"}
        ),
    )
    duty_contacts = forms.CharField(
        label=gettext_lazy("The customer's duty contacts (user names)"), required=False
    )
    remind_after_minutes = forms.IntegerField(
        label=gettext_lazy("Remind after (minutes) when not acknowledged"),
        min_value=1,
        max_value=24 * 60,
        initial=30,
    )

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].choices = [("", "—")] + [(o.pk, o.name) for o in customers]
        self.fields["region"].choices = [("", "—")] + sorted(_regions(), key=lambda r: r[1])
        _styled(self)

    @staticmethod
    def _people(names: list[str], field: str) -> list[Person]:
        found = {p.username: p for p in Person.objects.filter(username__in=names)}
        unknown = [n for n in names if n not in found]
        if unknown:
            raise forms.ValidationError(_("Unknown user: %(name)s") % {"name": unknown[0]})
        return [found[n] for n in names]

    def clean_slots(self):
        drafts = []
        for line in self.cleaned_data["slots"].splitlines():
            if not line.strip():
                continue
            match = _SLOT_LINE.match(line)
            if not match:
                raise forms.ValidationError(_("Write each shift as 08:00 followed by user names."))
            hour, minute, names = match.groups()
            drafts.append(
                services.SlotDraft(
                    starts=dt.time(int(hour), int(minute)),
                    people=self._people(names.split(), "slots"),
                )
            )
        return drafts

    def clean_duty_contacts(self):
        return self._people(self.cleaned_data["duty_contacts"].split(), "duty_contacts")


def _keeps(person) -> bool:
    return policy.may_use(person) and person.role in services.MANAGER_ROLES


@login_required
def schedules_page(request):
    """The shift schedules of the scopes the reader may read; managers add one here."""
    person = request.user
    if not policy.may_use(person):
        return _not_found(request)
    customers = selectors.customers_for(person)
    form = ScheduleForm(request.POST or None, customers=customers)
    status = 200
    if request.method == "POST":
        if not _keeps(person):
            messages.error(
                request, _("Only a service manager or an administrator keeps shift times.")
            )
            status = 403
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.save_schedule(
                    actor=person,
                    name=data["name"],
                    customer_org=Organisation.objects.filter(pk=data["customer"]).first()
                    if data["customer"]
                    else None,
                    region=Region.objects.filter(pk=data["region"]).first()
                    if data["region"]
                    else None,
                    slots=data["slots"],
                    duty_contacts=data["duty_contacts"],
                    remind_after_minutes=data["remind_after_minutes"],
                )
            except DomainError as exc:
                pagekit.add_errors(request, form, exc)
                status = pagekit.error_status(exc)
            else:
                messages.success(
                    request, _("Shift schedule saved; the next shift change is armed.")
                )
                return redirect("handover:handover_schedules")
        else:
            status = 422
    rows = []
    for s in ShiftSchedule.objects.prefetch_related("slots__people", "duty_contacts").order_by(
        "id"
    )[:200]:
        try:
            policy.check_scope(person, customer_org_id=s.customer_org_id, region_id=s.region_id)
        except NotFound:
            continue
        rows.append(s)
    context = {"schedules": rows, "form": form, "can_keep": _keeps(person)}
    return render(request, "handover/schedules.html", context, status=status)
