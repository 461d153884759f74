"""Forms of the console and the portal: they parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caredesk.directory import refdata
from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region, Role
from caredesk.pagekit import CHOOSE
from caredesk.tickets import rules
from caredesk.tickets.models import CallDirection, CallOutcome, Channel, Severity, Status
from caredesk.tickets.rules import Limits

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class NewRequestForm(forms.Form):
    """A customer's new request in the portal."""

    customer_org = forms.ModelChoiceField(
        Organisation.objects.none(), empty_label=CHOOSE, label=_("Organisation")
    )
    product = forms.ModelChoiceField(Product.objects.all(), empty_label=CHOOSE, label=_("Product"))
    region = forms.ModelChoiceField(Region.objects.all(), empty_label=CHOOSE, label=_("Region"))
    site = forms.CharField(label=_("Site / NE"), max_length=Limits.SITE, required=False)
    severity = forms.ChoiceField(choices=Severity.choices, label=_("Severity"), initial="P3")
    title = forms.CharField(label=_("Title"), max_length=Limits.TITLE)
    customer_voice = forms.CharField(
        label=_("What happened, in your own words"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=Limits.TEXT,
        strip=False,
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(
            pk__in=refdata.subtree(person.organisation_id) if person.organisation_id else []
        )
        self.fields["customer_org"].queryset = orgs
        self.fields["customer_org"].initial = person.organisation_id


class RecordCallForm(NewRequestForm):
    """Staff recording a request received by phone, on site or by the hotline."""

    requester = forms.ModelChoiceField(
        Person.objects.none(), empty_label=CHOOSE, label=_("Requester"), required=False
    )
    channel = forms.ChoiceField(
        choices=[
            c for c in Channel.choices if c[0] in {"phone", "onsite", "hotline", "email", "im"}
        ],
        label=_("Received by"),
        initial="phone",
    )
    customer_voice = forms.CharField(
        label=_("Customer voice (verbatim)"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=Limits.TEXT,
        strip=False,
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        self.fields["customer_org"].queryset = Organisation.objects.filter(kind=OrgKind.CUSTOMER)
        self.fields["customer_org"].initial = None
        self.fields["requester"].queryset = Person.objects.filter(
            role=Role.CUSTOMER_CONTACT, is_active=True
        ).select_related("organisation")
        self.fields["requester"].label_from_instance = lambda p: f"{p.name} · {p.organisation}"


class CommentForm(forms.Form):
    """A customer's comment in the portal: always public."""

    body = forms.CharField(label=_("Comment"), widget=TEXTAREA, max_length=Limits.TEXT)


class ReplyForm(CommentForm):
    """Staff write a public reply or an internal note, chosen by the button pressed.

    No default: a note never reaches a customer because a tick was forgotten."""

    PUBLIC = "public"
    INTERNAL = "internal"

    visibility = forms.ChoiceField(
        choices=[(PUBLIC, _("Reply to the customer")), (INTERNAL, _("Internal note"))],
        label=_("Who sees it"),
        error_messages={"required": _("Choose: a reply to the customer or an internal note.")},
    )

    @property
    def public(self) -> bool:
        return self.cleaned_data["visibility"] == self.PUBLIC


class CallForm(forms.Form):
    direction = forms.ChoiceField(choices=CallDirection.choices, label=_("Direction"))
    outcome = forms.ChoiceField(choices=CallOutcome.choices, label=_("Outcome"))
    party = forms.CharField(label=_("Who"), max_length=Limits.PARTY, required=False)
    note = forms.CharField(label=_("Note"), widget=TEXTAREA, max_length=Limits.NOTE, required=False)


class HandoffForm(forms.Form):
    to_person = forms.ModelChoiceField(
        Person.objects.none(), empty_label=CHOOSE, label=_("New owner")
    )
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=Limits.REASON)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].queryset = candidates
        roles = dict(Role.choices)  # one lookup per person, not a choices scan each
        self.fields["to_person"].label_from_instance = lambda p: (
            f"{p.name} · {roles.get(p.role, p.role)} · {p.organisation or ''}"
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=Limits.TEXT)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXTAREA, max_length=Limits.REASON)


class ConclusionForm(forms.Form):
    text = forms.CharField(label=_("Technical conclusion"), widget=TEXTAREA, max_length=Limits.TEXT)
    reason = forms.CharField(
        label=_("Why it changes"), widget=TEXTAREA, max_length=Limits.REASON, required=False
    )


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("Resolution note"), widget=TEXTAREA, max_length=Limits.TEXT)


class ConfirmForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"), widget=TEXTAREA, max_length=Limits.NOTE, required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, Status(s).label) for s in rules.MANUAL_STATUSES],
        label=_("Status"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
