"""Stakeholder map pages: per customer organisation, who hears about what and how. Service
managers and administrators edit; other staff and the customer's own contacts read."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk import pagekit
from caredesk.directory.models import Organisation, Person, Product, Region, Role
from caredesk.errors import DomainError
from caredesk.inputs import parse_id
from caredesk.stakeholders import policy, selectors, services
from caredesk.stakeholders.models import (
    DEFAULT_SUBSCRIPTIONS,
    ContactChannel,
    Stakeholder,
    Subscription,
)

CHECKBOXES = forms.CheckboxSelectMultiple


class ModelsChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by id, refusing ids the database cannot hold before asking it: Django's
    pk__in query with a number past 2**63 overflows SQLite's driver (a 500)."""

    def _check_values(self, value):
        for pk in value:
            if parse_id(str(pk)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class StakeholderForm(forms.Form):
    person = forms.ModelChoiceField(
        Person.objects.none(),
        empty_label=pagekit.CHOOSE,
        label=gettext_lazy("Person"),
        required=False,
    )
    channel = forms.ChoiceField(choices=ContactChannel.choices, label=gettext_lazy("Channel"))
    include_branches = forms.BooleanField(
        required=False, label=gettext_lazy("Also the branches' requests")
    )
    products = ModelsChoiceField(
        Product.objects.all(), required=False, widget=CHECKBOXES, label=gettext_lazy("Products")
    )
    regions = ModelsChoiceField(
        Region.objects.all(), required=False, widget=CHECKBOXES, label=gettext_lazy("Regions")
    )
    sites = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Sites (one per line)"),
    )
    subscriptions = forms.MultipleChoiceField(
        choices=Subscription.choices,
        required=False,
        widget=CHECKBOXES,
        label=gettext_lazy("Tell them about"),
    )
    note = forms.CharField(required=False, max_length=200, label=gettext_lazy("Note"))

    def __init__(self, *args, organisation: Organisation, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            own = set(organisation.lineage_ids()) | set(organisation.subtree_ids())
            self.fields["person"].queryset = (
                Person.objects.filter(is_active=True)
                .filter(Q(organisation_id__in=own) | ~Q(role=Role.CUSTOMER_CONTACT))
                .exclude(stakeholder_entries__organisation=organisation)
                .order_by("role", "display_name")
            )
            self.fields["person"].required = True
        else:
            del self.fields["person"]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["sites"] = [s for s in data.get("sites", "").splitlines() if s.strip()]
        data.pop("person", None)
        return data


def _initial(entry: Stakeholder) -> dict:
    return {
        "channel": entry.channel,
        "include_branches": entry.include_branches,
        "products": [p.pk for p in entry.products.all()],
        "regions": [r.pk for r in entry.regions.all()],
        "sites": "\n".join(entry.sites),
        "subscriptions": entry.subscriptions,
        "note": entry.note,
    }


def _org_for(request, org_id: int) -> Organisation | None:
    org = Organisation.objects.filter(pk=org_id).first()
    return org if org is not None and policy.can_view_map(request.user, org) else None


def _render_map(request, org, *, add_form=None, edit_forms=None, status=200):
    entries = list(selectors.map_of(org))
    can_edit = policy.can_edit_map(request.user)
    edit_forms = edit_forms or {}
    rows = [
        (
            e,
            edit_forms.get(e.pk)
            or StakeholderForm(initial=_initial(e), organisation=org, adding=False),
        )
        for e in entries
    ]
    above = [o for o in Organisation.objects.filter(pk__in=org.lineage_ids()[1:])]
    return render(
        request,
        "stakeholders/stakeholders.html",
        {
            "org": org,
            "rows": rows,
            "can_edit": can_edit,
            "add_form": add_form
            or StakeholderForm(
                initial={"subscriptions": DEFAULT_SUBSCRIPTIONS, "channel": "email"},
                organisation=org,
                adding=True,
            ),
            "above": above,
            "labels": dict(Subscription.choices),
        },
        status=status,
    )


@login_required
def customers(request):
    if request.user.is_customer:
        if request.user.organisation_id is None:
            # An account nobody has placed yet (createsuperuser's, before the administrator
            # gives it a role): no map of its own to show.
            raise Http404
        return redirect("stakeholders:stakeholders", org_id=request.user.organisation_id)
    orgs = (
        policy.map_organisations(request.user)
        .annotate(entries=Count("stakeholders"))
        .select_related("parent")
        .order_by("parent_id", "name")
    )
    return render(request, "stakeholders/customers.html", {"orgs": orgs})


@login_required
def stakeholder_map(request, org_id: int):
    org = _org_for(request, org_id)
    if org is None:
        return render(request, "web/not_found.html", status=404)
    return _render_map(request, org)


@login_required
@require_POST
def stakeholder_add(request, org_id: int):
    org = _org_for(request, org_id)
    if org is None:
        return render(request, "web/not_found.html", status=404)
    form = StakeholderForm(request.POST, organisation=org, adding=True)
    if not form.is_valid():
        return _render_map(request, org, add_form=form, status=422)
    try:
        services.add_stakeholder(
            actor=request.user,
            organisation=org,
            person=form.cleaned_data["person"],
            **form.values(),
        )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _render_map(request, org, add_form=form, status=pagekit.error_status(exc))
    messages.success(request, _("Added to the stakeholder map."))
    return redirect("stakeholders:stakeholders", org_id=org.pk)


def _entry_for(request, entry_id: int) -> Stakeholder | None:
    entry = Stakeholder.objects.select_related("organisation").filter(pk=entry_id).first()
    if entry is None or not policy.can_view_map(request.user, entry.organisation):
        return None
    return entry


@login_required
@require_POST
def stakeholder_edit(request, entry_id: int):
    entry = _entry_for(request, entry_id)
    if entry is None:
        return render(request, "web/not_found.html", status=404)
    org = entry.organisation
    form = StakeholderForm(request.POST, organisation=org, adding=False)
    if not form.is_valid():
        return _render_map(request, org, edit_forms={entry.pk: form}, status=422)
    try:
        services.update_stakeholder(actor=request.user, stakeholder=entry, changes=form.values())
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _render_map(
            request, org, edit_forms={entry.pk: form}, status=pagekit.error_status(exc)
        )
    messages.success(request, _("Stakeholder map saved."))
    return redirect("stakeholders:stakeholders", org_id=org.pk)


@login_required
@require_POST
def stakeholder_remove(request, entry_id: int):
    entry = _entry_for(request, entry_id)
    if entry is None:
        return render(request, "web/not_found.html", status=404)
    try:
        services.remove_stakeholder(actor=request.user, stakeholder=entry)
    except DomainError as exc:
        # Refused: the map again, with the reason, under the refusal's own status.
        messages.error(request, str(exc.message))
        return _render_map(request, entry.organisation, status=pagekit.error_status(exc))
    messages.success(request, _("Removed from the stakeholder map."))
    return redirect("stakeholders:stakeholders", org_id=entry.organisation_id)
