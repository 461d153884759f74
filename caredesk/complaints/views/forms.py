"""The complaint pages' forms: the hotline's registration and each step's short form. Forms
parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caredesk.directory.models import OWNER_ROLES, Person
from caredesk.pagekit import CHOOSE
from caredesk.tickets.rules import Limits

from ..models import Category, Channel, Closure, DeadlineKind, Impact, Severity, Source

MOMENT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control form-control-sm"},
    format="%Y-%m-%dT%H:%M",
)
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _choices(choices, empty=True):
    return ([("", CHOOSE)] if empty else []) + list(choices)


class _CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.local_name} · {obj.local_name}" if obj.parent_id else obj.local_name


class RegisterForm(forms.Form):
    """One short form for a phone call: who calls, about which tickets, what category, their
    words and what they want."""

    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    tickets = forms.CharField(
        label=_("Tickets"),
        max_length=400,
        help_text=_("Ticket numbers, separated by spaces or commas"),
    )
    complainant = forms.ModelChoiceField(
        label=_("Caller (customer contact)"), queryset=Person.objects.none(), required=False
    )
    complainant_name = forms.CharField(
        label=_("Caller's name (not in the directory)"), max_length=100, required=False
    )
    complainant_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False)
    category = _CategoryField(label=_("Category"), queryset=Category.objects.none())
    subcategory = _CategoryField(
        label=_("Sub-category"), queryset=Category.objects.none(), required=False
    )
    words = forms.CharField(
        label=_("The caller's words, verbatim"), max_length=Limits.TEXT, widget=TEXTAREA
    )
    remedy_sought = forms.CharField(
        label=_("Remedy sought"), max_length=Limits.REASON, widget=forms.Textarea({"rows": 2})
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial="medium")
    impact = forms.ChoiceField(label=_("Impact"), choices=Impact.choices, initial="branch")
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_choices(Channel.choices), required=False
    )

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The contacts the phone number found are offered; a POST takes any contact (the
        # service checks they belong to the customer).
        self.fields["complainant"].queryset = Person.objects.filter(
            role="customer_contact", is_active=True
        )
        self.fields["complainant"].choices = [("", CHOOSE)] + [
            (p.pk, f"{p.name} · {p.phone} · {p.organisation}") for p in contacts or ()
        ]
        roots = Category.objects.filter(active=True, parent__isnull=True).order_by("order")
        subs = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
        self.fields["category"].queryset = roots
        self.fields["category"].choices = [("", CHOOSE)] + [(c.pk, c.local_name) for c in roots]
        self.fields["subcategory"].queryset = subs
        self.fields["subcategory"].choices = [("", "—")] + [
            (c.pk, f"{c.parent.local_name} · {c.local_name}")
            for c in subs.order_by("parent__order", "order")
        ]

    def ticket_numbers(self) -> list[str]:
        raw = self.cleaned_data.get("tickets", "")
        return [n for n in raw.replace(",", " ").replace("，", " ").split() if n]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Investigation note"), max_length=Limits.TEXT, widget=TEXTAREA)


class CallBackForm(VersionForm):
    reached = forms.TypedChoiceField(
        label=_("Reached the complainant?"),
        choices=[("yes", _("Reached")), ("no", _("Not reached"))],
        coerce=lambda v: v == "yes",
    )
    satisfied = forms.TypedChoiceField(
        label=_("Satisfied with the answer?"),
        choices=[("", "—"), ("yes", _("Satisfied")), ("no", _("Not satisfied"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("What was said"), max_length=Limits.NOTE, required=False, widget=TEXTAREA
    )


class RootCauseForm(VersionForm):
    cause = _CategoryField(label=_("Root cause"), queryset=Category.objects.none())
    note = forms.CharField(label=_("Findings"), max_length=Limits.TEXT, widget=TEXTAREA)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Category.objects.filter(active=True).select_related("parent")
        self.fields["cause"].queryset = qs
        self.fields["cause"].choices = [("", CHOOSE)] + [
            (c.pk, self.fields["cause"].label_from_instance(c)) for c in qs
        ]


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("Corrective action"), max_length=Limits.REASON, widget=TEXTAREA
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    due_at = forms.DateTimeField(label=_("Due"), widget=MOMENT)

    def __init__(self, *args, office_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        qs = Person.objects.filter(
            role__in=OWNER_ROLES, is_active=True, organisation_id__in=office_ids
        ).order_by("display_name")
        self.fields["owner"].queryset = qs
        self.fields["owner"].choices = [("", CHOOSE)] + [(p.pk, p.name) for p in qs]


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Worked?"),
        choices=[("yes", _("Effective")), ("no", _("Not effective"))],
        coerce=lambda v: v == "yes",
    )
    verification = forms.CharField(label=_("Verification"), max_length=Limits.REASON)


class RespondForm(VersionForm):
    text = forms.CharField(
        label=_("Response to the complainant"), max_length=Limits.TEXT, widget=TEXTAREA
    )


class ExtendForm(VersionForm):
    deadline = forms.ChoiceField(label=_("Deadline"), choices=DeadlineKind.choices)
    until = forms.DateTimeField(label=_("New deadline"), widget=MOMENT)
    reason = forms.CharField(label=_("Reason (the complainant is told)"), max_length=Limits.REASON)


class WithdrawForm(VersionForm):
    note = forms.CharField(label=_("Why withdrawn"), max_length=Limits.REASON)
    withdrawn_name = forms.CharField(
        label=pgettext_lazy("complaint", "Withdrawn by"), max_length=100, required=False
    )


class CloseForm(VersionForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Closure.choices)
    recourse = forms.CharField(
        label=_("Further recourse told (when refused)"),
        max_length=Limits.REASON,
        required=False,
    )
    note = forms.CharField(
        label=_("Closing note"), max_length=Limits.NOTE, required=False, widget=TEXTAREA
    )


class AnswerForm(VersionForm):
    """The complainant's answer to the response: one of two buttons, and what is still wrong."""

    accepted = forms.TypedChoiceField(
        choices=[("yes", _("I accept the response")), ("no", _("I do not accept it"))],
        coerce=lambda v: v == "yes",
    )
    comment = forms.CharField(
        label=_("Your comment (required if you do not accept)"),
        max_length=Limits.NOTE,
        required=False,
        widget=TEXTAREA,
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(label=_("Why reopen"), max_length=Limits.REASON)
