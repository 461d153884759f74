"""The masking rules' pages: the list (filters in the URL; for staff, what Alertmanager holds
without CareDesk's authorisation), a rule's page with its remove form, and the bulk upload
with the table of every bad row. Thin: parse a form, call a verb; a refusal comes back on the
same page under its own 4xx status."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk import pagekit
from caredesk.errors import DomainError, NotFound
from caredesk.inputs import parse_id
from caredesk.tickets.rules import Limits
from caredesk.web.export import export_response

from ..masks import matchers as matching
from ..masks import policy, selectors, services, upload

LISTED = 200
EXPORT_CHUNK = 2000


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why remove it now"), max_length=Limits.REASON, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class UploadForm(forms.Form):
    change = forms.TypedChoiceField(label=gettext_lazy("Alarm-masking change"), coerce=int)
    file = forms.FileField(label=gettext_lazy("Spreadsheet (xlsx) or CSV"))

    def __init__(self, *args, changes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].choices = [("", pagekit.CHOOSE)] + [
            (c.pk, f"{c.number} {c.title} · {c.customer_org.name}") for c in changes
        ]


def _rows(rules) -> list[dict]:
    return [{"rule": r, "matchers": matching.as_text(r.matchers)} for r in rules]


def _list_filters(request) -> dict:
    """The list's filters in its URL (the page's and its export's): ?customer=&element=&active=
    &change= (active by default)."""
    return {
        "active": {"1": True, "0": False, "": None}.get(request.GET.get("active", "1"), True),
        "element": request.GET.get("element", "").strip()[:200],
        "customer_org_id": parse_id(request.GET.get("customer", "")),
        "change_id": parse_id(request.GET.get("change", "")),
    }


@login_required
def mask_list(request):
    """Rules the reader may see, filtered (see _list_filters)."""
    person = request.user
    filters = _list_filters(request)
    rules = list(selectors.rules_visible_to(person, **filters)[: LISTED + 1])
    shown = {
        "element": filters["element"],
        "active": request.GET.get("active", "1"),
        "customer": filters["customer_org_id"] or "",
        "change": filters["change_id"] or "",
    }
    context = {
        "rows": _rows(rules[:LISTED]),
        "more": len(rules) > LISTED,
        "listed": LISTED,
        "filters": shown,
        "export_query": urlencode(shown),
        "can_upload": bool(selectors.masking_changes_for(person)),
        "sees_foreign": policy.can_see_foreign(person),
    }
    if context["sees_foreign"]:
        context.update(
            configured=bool(settings.ALERTMANAGER_URL),
            last_check=selectors.last_reconcile(),
            foreign=list(selectors.foreign_silences()[:LISTED]),
            missing=list(selectors.missing_silences()[:LISTED]),
        )
    return render(request, "fieldwork/masks.html", context)


def export_header() -> list[str]:
    """The columns of a masking-rule export (the page's and the API's)."""
    return [
        _("Rule"),
        _("Customer"),
        _("Network elements"),
        _("Matches"),
        _("Reason"),
        _("Owner"),
        _("Change"),
        _("From"),
        _("Until"),
        _("Status"),
    ]


def export_rows(rules):
    for r in rules.iterator(chunk_size=EXPORT_CHUNK):
        yield [
            r.number,
            r.customer_org.name,
            ", ".join(r.elements),
            matching.as_text(r.matchers),
            r.reason,
            r.owner.name,
            r.change.number,
            r.starts_at,
            r.ends_at,
            r.get_status_display(),
        ]


@login_required
def mask_export(request, fmt):
    """The list as CSV or xlsx, with its filters: every rule the reader may see, streamed."""
    rules = selectors.rules_visible_to(request.user, **_list_filters(request))
    return export_response(
        fmt, name="masks", header=export_header(), rows=lambda: export_rows(rules)
    )


def _render_rule(request, rule, *, form=None, status=200):
    context = {
        "rule": rule,
        "matchers": matching.as_text(rule.matchers),
        "can_remove": rule.is_active and policy.can_remove(request.user, rule, rule.change),
        "remove_form": form or RemoveForm(initial={"version": rule.version}),
        "configured": bool(settings.ALERTMANAGER_URL),
    }
    return render(request, "fieldwork/mask_page.html", context, status=status)


@login_required
def mask_page(request, mask_id):
    try:
        rule = selectors.rule_for(request.user, mask_id)
    except NotFound:
        return _not_found(request)
    return _render_rule(request, rule)


@login_required
def mask_remove(request, mask_id):
    if request.method != "POST":
        return redirect("fieldwork:mask_page", mask_id=mask_id)
    try:
        rule = selectors.rule_for(request.user, mask_id)
    except NotFound:
        return _not_found(request)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _render_rule(request, rule, form=form, status=422)
    try:
        services.remove_rule(actor=request.user, rule=rule, **form.cleaned_data)
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        rule = selectors.rule_for(request.user, mask_id)
        return _render_rule(request, rule, form=form, status=pagekit.error_status(exc))
    messages.success(
        request, _("Masking rule removed; its silence is withdrawn from Alertmanager.")
    )
    return redirect("fieldwork:mask_page", mask_id=mask_id)


@login_required
def mask_upload(request):
    """GET: the form. POST: every row of the file becomes a rule under the change, or none
    does and the table names each bad row (row, column, reason)."""
    if request.user.is_customer:
        return _not_found(request)
    changes = selectors.masking_changes_for(request.user)
    if request.method != "POST":
        return render(request, "fieldwork/mask_upload.html", {"form": UploadForm(changes=changes)})
    form = UploadForm(request.POST, request.FILES, changes=changes)
    context = {"form": form, "problems": []}
    if not form.is_valid():
        return render(request, "fieldwork/mask_upload.html", context, status=422)
    try:
        change = selectors.change_for(request.user, form.cleaned_data["change"])
        raw = form.cleaned_data["file"].read(upload.MAX_BYTES + 1)
        drafts = upload.read(raw, form.cleaned_data["file"].name)
        rules = services.create_rules(actor=request.user, change=change, drafts=drafts)
    except upload.UploadUnreadable as exc:
        form.add_error("file", str(exc))
        return render(request, "fieldwork/mask_upload.html", context, status=422)
    except services.MaskRowsInvalid as exc:
        messages.error(request, str(exc.message))
        context["problems"] = exc.rows
        return render(request, "fieldwork/mask_upload.html", context, status=422)
    except DomainError as exc:
        pagekit.add_errors(request, form, exc)
        return render(
            request, "fieldwork/mask_upload.html", context, status=pagekit.error_status(exc)
        )
    messages.success(
        request,
        _("%(n)d masking rules added under %(change)s; the owner and the customer are told.")
        % {"n": len(rules), "change": change.number},
    )
    return redirect(f"/masks/?change={change.pk}")
