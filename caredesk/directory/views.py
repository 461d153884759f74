"""The role-assignment page: who stands on each rung of the escalation ladder (service manager,
product maintenance leader, SPM, account head) for which customer, region and product. Office
staff read it; administrators add and remove assignments."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from caredesk import clock, pagekit
from caredesk.errors import DomainError, NotFound

from . import policy, services, tokens
from .models import (
    OFFICE_ROLES,
    LadderRole,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Role,
    RoleAssignment,
)

ANY = gettext_lazy("(any)")
CHOOSE = gettext_lazy("Please choose…")
RUNGS = list(LadderRole.values)  # the ladder's order, bottom up


class AssignmentForm(forms.Form):
    role = forms.ChoiceField(choices=LadderRole.choices, label=gettext_lazy("Role"))
    person = forms.ModelChoiceField(
        Person.objects.filter(role__in=OFFICE_ROLES - {Role.ADMIN}, is_active=True).order_by(
            "role", "display_name"
        ),
        empty_label=CHOOSE,
        label=gettext_lazy("Person"),
    )
    customer_org = forms.ModelChoiceField(
        Organisation.objects.filter(kind=OrgKind.CUSTOMER).order_by("parent_id", "name"),
        required=False,
        empty_label=ANY,
        label=gettext_lazy("Customer (its branches too)"),
    )
    region = forms.ModelChoiceField(
        Region.objects.all(), required=False, empty_label=ANY, label=gettext_lazy("Region")
    )
    product = forms.ModelChoiceField(
        Product.objects.all(), required=False, empty_label=ANY, label=gettext_lazy("Product")
    )


def _page(request, form=None, status=200):
    rows = sorted(
        RoleAssignment.objects.select_related("person", "customer_org", "region", "product"),
        key=lambda a: (RUNGS.index(a.role), a.customer_org_id or 0, a.pk),
    )
    return render(
        request,
        "directory/role_assignments.html",
        {
            "rows": rows,
            "form": form or AssignmentForm(),
            "can_edit": policy.can_write_reference_data(request.user),
        },
        status=status,
    )


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


@login_required
def role_assignments(request):
    if not policy.can_read_assignments(request.user):
        return _not_found(request)
    return _page(request)


@login_required
@require_POST
def add_assignment(request):
    if not policy.can_read_assignments(request.user):
        return _not_found(request)
    form = AssignmentForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    try:
        services.create_reference(
            actor=request.user, model=RoleAssignment, values=form.cleaned_data
        )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _page(request, form, status=pagekit.error_status(exc))
    messages.success(request, _("Role assigned."))
    return redirect("directory:role_assignments")


@login_required
@require_POST
def remove_assignment(request, assignment_id: int):
    found = RoleAssignment.objects.filter(pk=assignment_id).first()
    if found is None or not policy.can_read_assignments(request.user):
        return _not_found(request)
    try:
        services.delete_reference(actor=request.user, obj=found)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _page(request, status=pagekit.error_status(exc))
    messages.success(request, _("Assignment removed."))
    return redirect("directory:role_assignments")


# ---------------------------------------------------------------- API tokens


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("What it is for"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, max_value=366, initial=90
    )


def _tokens_page(request, form=None, new_key=None, status=200):
    return render(
        request,
        "directory/tokens.html",
        {
            "rows": list(tokens.tokens_visible_to(request.user)[:500]),
            "form": form or TokenForm(),
            "new_key": new_key,
            "now": clock.now(),
        },
        status=status,
    )


@login_required
def api_tokens(request):
    """Your API tokens: made here (the value shown once), listed with their last use and
    expiry, revoked with one button. Administrators see and revoke everyone's."""
    if request.method != "POST":
        return _tokens_page(request)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, form, status=422)
    try:
        made = tokens.create_token(
            actor=request.user,
            person=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return _tokens_page(request, form, status=pagekit.error_status(exc))
    # The value is on this answer only (no-store, like every signed-in page).
    return _tokens_page(request, new_key=made.key, status=201)


@login_required
@require_POST
def revoke_api_token(request, token_id: int):
    try:
        token = tokens.token_for(request.user, token_id)
        tokens.revoke_token(actor=request.user, token=token)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _tokens_page(request, status=pagekit.error_status(exc))
    messages.success(request, _("Token revoked: it no longer works."))
    return redirect("directory:api_tokens")
