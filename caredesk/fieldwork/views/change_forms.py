"""The change request's forms, and the changes card of the ticket page. Forms parse; the
services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caredesk.directory.models import Organisation, OrgKind, Person, Product, Region
from caredesk.pagekit import CHOOSE
from caredesk.tickets.models import Ticket
from caredesk.tickets.rules import Limits

from ..changes import policy, selectors
from ..changes.rules import RISK_QUESTIONS
from ..models import ChangeKind, ChangeModel, ChangeTemplate

MOMENT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control form-control-sm"},
    format="%Y-%m-%dT%H:%M",
)
CHECK_ROWS = 5


class _PeopleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.organisation or ''}"


def _executors():
    people = Person.objects.filter(is_active=True).select_related("organisation")
    people = people.order_by("organisation__name", "display_name", "username")
    return people.filter(pk__in=[p.pk for p in people if policy.can_execute(p)])


class ChangeForm(forms.Form):
    customer_org = forms.ModelChoiceField(
        Organisation.objects.filter(kind=OrgKind.CUSTOMER), empty_label=CHOOSE, label=_("Customer")
    )
    kind = forms.ChoiceField(label=_("Kind of operation"), choices=ChangeKind.choices)
    model = forms.ChoiceField(label=_("Model"), choices=ChangeModel.choices)
    template = forms.ModelChoiceField(
        ChangeTemplate.objects.filter(published=True),
        empty_label=CHOOSE,
        label=_("Standard template (standard changes)"),
        required=False,
    )
    title = forms.CharField(label=_("Title"), max_length=Limits.TITLE)
    plan = forms.CharField(
        label=_("Plan"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Limits.TEXT,
        required=False,
    )
    rollback_plan = forms.CharField(
        label=_("Rollback plan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Limits.TEXT,
        required=False,
    )
    service_impact = forms.BooleanField(label=RISK_QUESTIONS["service_impact"][0], required=False)
    hard_to_undo = forms.BooleanField(label=RISK_QUESTIONS["hard_to_undo"][0], required=False)
    untried = forms.BooleanField(label=RISK_QUESTIONS["untried"][0], required=False)
    window_start = forms.DateTimeField(label=_("Window opens"), widget=MOMENT)
    window_end = forms.DateTimeField(label=_("Window closes"), widget=MOMENT)
    elements = forms.CharField(
        label=_("Network elements (one per line: element, site)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Limits.TEXT,
    )
    executor = _PeopleField(Person.objects.none(), empty_label=CHOOSE, label=_("Executor"))
    tickets = forms.CharField(
        label=_("Linked tickets (numbers, separated by spaces)"),
        max_length=Limits.REASON,
        required=False,
    )
    region = forms.ModelChoiceField(
        Region.objects.all(), empty_label=CHOOSE, label=_("Region"), required=False
    )
    product = forms.ModelChoiceField(
        Product.objects.all(), empty_label=CHOOSE, label=_("Product"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = _executors()

    def clean_elements(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["elements"].splitlines():
            element, _sep, site = line.replace("，", ",").partition(",")
            if element.strip():
                rows.append({"element": element.strip(), "site": site.strip()})
        if not rows:
            raise forms.ValidationError(_("Name at least one network element."))
        return rows

    def clean_tickets(self) -> list[Ticket]:
        numbers = self.cleaned_data["tickets"].replace(",", " ").split()
        found = {t.number: t for t in Ticket.objects.filter(number__in=numbers)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(_("Link only tickets of this customer that you can see."))
        return [found[n] for n in numbers]

    def verb_arguments(self) -> dict:
        """The create verb's keyword arguments from the cleaned form."""
        data = dict(self.cleaned_data)
        data["assessment"] = {key: data.pop(key) for key in RISK_QUESTIONS}
        return data


def _words(label, limit=Limits.REASON, *, required=True, rows=2):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=limit,
        required=required,
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def arguments(self) -> dict:
        """The verb's keyword arguments: the cleaned fields, the version among them."""
        return dict(self.cleaned_data)


class SubmitForm(VersionForm):
    override_reason = _words(_("Why go ahead despite the conflicts"), required=False)


class ApproveForm(VersionForm):
    note = forms.CharField(label=_("Note"), max_length=Limits.REASON, required=False)


class ReasonForm(VersionForm):
    reason = _words(_("Reason"))


class VerifyForm(VersionForm):
    execution_note = _words(_("What was done"), Limits.TEXT, rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(CHECK_ROWS):
            self.fields[f"check_{i}"] = forms.CharField(
                label=_("Check"), max_length=Limits.PARTY, required=False
            )
            self.fields[f"ok_{i}"] = forms.BooleanField(label=_("Passed"), required=False)

    @property
    def check_rows(self) -> list[tuple]:
        return [(self[f"check_{i}"], self[f"ok_{i}"]) for i in range(CHECK_ROWS)]

    def arguments(self) -> dict:
        data = self.cleaned_data
        checklist = [
            {"item": data[f"check_{i}"], "ok": data[f"ok_{i}"]}
            for i in range(CHECK_ROWS)
            if data[f"check_{i}"].strip()
        ]
        return {
            "checklist": checklist,
            "execution_note": data["execution_note"],
            "version": data["version"],
        }


class CompleteForm(VersionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("done", _("Done: every check passed")), ("failed", _("Failed"))],
        widget=forms.RadioSelect,
    )
    note = _words(_("Note (required when failed)"), Limits.TEXT, required=False)


class RollbackForm(VersionForm):
    note = _words(_("How it was rolled back"), Limits.TEXT)


def ticket_card(person: Person, ticket) -> dict:
    """The ticket page's changes card: the changes linked to it that the reader may see."""
    return {"rows": selectors.changes_of_ticket(person, ticket)}
