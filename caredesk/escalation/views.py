"""The on-call page: who is on duty for each team now, the rotations and their overrides;
service managers and administrators edit them here."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk import clock, pagekit
from caredesk.directory.models import OWNER_ROLES, Person, Team
from caredesk.errors import DomainError
from caredesk.escalation import rosters, services
from caredesk.escalation.models import RosterOverride, Rotation


def _people():
    return Person.objects.filter(role__in=OWNER_ROLES, is_active=True).order_by("username")


class OverrideForm(forms.Form):
    team = forms.ModelChoiceField(
        Team.objects.all(), empty_label=pagekit.CHOOSE, label=gettext_lazy("Team")
    )
    person = forms.ModelChoiceField(
        Person.objects.none(), empty_label=pagekit.CHOOSE, label=gettext_lazy("Person on call")
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _people()


class RotationForm(forms.Form):
    period = forms.ChoiceField(choices=Rotation.PERIODS, label=gettext_lazy("Period"))
    handover_time = forms.TimeField(
        label=gettext_lazy("Hand-over time"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, slots: int, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(slots):
            self.fields[f"member_{i}"] = forms.ModelChoiceField(
                _people(),
                required=False,
                empty_label=gettext_lazy("(nobody)"),
                label=gettext_lazy("Turn %(n)d") % {"n": i + 1},
            )

    def members(self) -> list[Person]:
        return [v for k, v in sorted(self.cleaned_data.items()) if k.startswith("member_") and v]


def _rotation_form(rotation: Rotation, data=None) -> RotationForm:
    slots = list(rotation.slots.order_by("position"))
    initial = {"period": rotation.period, "handover_time": rotation.handover_time}
    initial.update({f"member_{i}": s.person_id for i, s in enumerate(slots)})
    return RotationForm(data, slots=len(slots) + 2, initial=initial, prefix=f"r{rotation.pk}")


def _page(request, override_form=None, rotation_forms=None, status=200):
    now = clock.now()
    teams = []
    for team in Team.objects.prefetch_related("rotations__slots__person").order_by("name"):
        person, source = rosters.on_call(team, now)
        later, _source = rosters.on_call(team, now + dt.timedelta(hours=24))
        rotations = [
            (r, (rotation_forms or {}).get(r.pk) or _rotation_form(r))
            for r in team.rotations.order_by("pk")
        ]
        overrides = RosterOverride.objects.filter(team=team, ends_at__gt=now).select_related(
            "person"
        )
        teams.append(
            {
                "team": team,
                "now": person,
                "source": source,
                "tomorrow": later,
                "rotations": rotations,
                "overrides": list(overrides.order_by("starts_at")),
            }
        )
    context = {
        "teams": teams,
        "now": now,
        "can_edit": services.can_edit_rosters(request.user),
        "override_form": override_form or OverrideForm(),
    }
    return render(request, "escalation/oncall.html", context, status=status)


@login_required
def oncall(request):
    if request.user.is_customer:
        return redirect("tickets:portal")
    return _page(request)


@login_required
@require_POST
def add_override(request):
    if request.user.is_customer:  # customers have no on-call page
        return render(request, "web/not_found.html", status=404)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.add_override(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            pagekit.add_errors(request, form, exc)
        else:
            messages.success(request, _("Override saved."))
            return redirect("escalation:oncall")
    return _page(request, override_form=form, status=422)


@login_required
@require_POST
def remove_override(request, override_id: int):
    if request.user.is_customer:  # customers have no on-call page
        return render(request, "web/not_found.html", status=404)
    override = get_object_or_404(RosterOverride, pk=override_id)
    try:
        services.remove_override(actor=request.user, override=override)
        messages.success(request, _("Override removed."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("escalation:oncall")


@login_required
@require_POST
def edit_rotation(request, rotation_id: int):
    if request.user.is_customer:  # customers have no on-call page
        return render(request, "web/not_found.html", status=404)
    rotation = get_object_or_404(Rotation, pk=rotation_id)
    form = _rotation_form(rotation, request.POST)
    if form.is_valid():
        try:
            services.update_rotation(
                actor=request.user,
                rotation=rotation,
                period=form.cleaned_data["period"],
                handover_time=form.cleaned_data["handover_time"],
                members=form.members(),
            )
        except DomainError as exc:
            # The turns are member_0…member_n, not one field: the reason goes on top.
            messages.error(request, str(exc.fields.get("members") or exc.message))
        else:
            messages.success(request, _("Rotation saved."))
            return redirect("escalation:oncall")
    return _page(request, rotation_forms={rotation.pk: form}, status=422)
