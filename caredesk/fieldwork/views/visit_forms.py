"""The site visit's forms, and the visits card of the ticket page and the portal (the ticket
views put it in their context: one entry). Forms parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.attachments import views as attachment_views
from caredesk.directory.models import Person
from caredesk.pagekit import CHOOSE
from caredesk.tickets.rules import Limits

from ..models import NEEDS_NEXT_STEP, VisitResult
from ..visits import policy, selectors

MOMENT = forms.DateTimeInput(
    attrs={"type": "datetime-local", "class": "form-control form-control-sm"},
    format="%Y-%m-%dT%H:%M",
)


class _MarksErrors(forms.Form):
    """The visit's time inputs render as widgets (fieldwork/_moment_field.html): a field that
    takes an error — from cleaning, or a refused verb (pagekit.add_errors) — is marked."""

    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else list(getattr(error, "error_dict", {}) or [])
        for name in names:
            widget = self.fields[name].widget if name in self.fields else None
            if widget is not None and "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class _PeopleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.organisation or ''}"


def _candidates(ticket):
    """Who may go on site for the ticket or take its next step, as a form's choices."""
    people = selectors.engineer_candidates(ticket)
    return Person.objects.filter(pk__in=[p.pk for p in people]).select_related("organisation")


class PlanForm(_MarksErrors):
    engineer = _PeopleField(Person.objects.none(), empty_label=CHOOSE, label=_("Engineer"))
    planned_at = forms.DateTimeField(label=_("On site at"), widget=MOMENT)
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}), max_length=Limits.REASON
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = _candidates(ticket)


class StepForm(_MarksErrors):
    """A step on site: now by the server's clock, or a stated time with its reason."""

    at = forms.DateTimeField(label=_("The time, if not now"), widget=MOMENT, required=False)
    reason = forms.CharField(
        label=_("Why the time is entered by hand"), max_length=Limits.REASON, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LeaveForm(StepForm):
    result = forms.ChoiceField(
        label=_("Result"), choices=VisitResult.choices, widget=forms.RadioSelect
    )
    work_done = forms.CharField(
        label=_("Work done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=Limits.TEXT
    )
    next_step = forms.CharField(
        label=_("Next step"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=Limits.REASON,
        required=False,
    )
    next_step_owner = _PeopleField(
        Person.objects.none(), empty_label=CHOOSE, label=_("Who does it"), required=False
    )
    next_step_due = forms.DateTimeField(label=_("By when"), widget=MOMENT, required=False)
    customer_message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=Limits.TEXT,
        required=False,
    )

    def __init__(self, *args, ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_step_owner"].queryset = _candidates(ticket)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=Limits.REASON)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def rows_of(visits: list) -> list[dict]:
    """Each visit with whether its next step is overdue: left unresolved, its time passed, the
    ticket still open and nobody back on site since (the ticket's other visits say)."""
    now = clock.now()
    rows = []
    for v in visits:
        followed = not v.ticket.is_open or any(
            o.arrived_at and v.left_at and o.arrived_at > v.left_at for o in visits if o is not v
        )
        open_step = v.result in NEEDS_NEXT_STEP and not followed
        rows.append(
            {
                "visit": v,
                "next_step_open": open_step,
                "overdue": open_step and v.next_step_due is not None and v.next_step_due < now,
            }
        )
    return rows


def plan_form(person: Person, ticket, data=None) -> PlanForm:
    """The plan form, the planner first among the engineers when he may go himself."""
    mine = person.pk if policy.works_it_now(person, ticket) else None
    return PlanForm(data, ticket=ticket, initial={"engineer": mine})


def ticket_card(person: Person, ticket, plan_form: PlanForm | None = None) -> dict:
    """The visits card: the ticket's visits (their report for customers, with what they may
    confirm) and whether the reader may plan one — the form itself is fetched when its section
    is opened (the colleagues to choose from can be many), or passed back here refused."""
    can_plan = ticket.is_open and not person.is_customer and policy.can_plan(person, ticket)
    rows = rows_of(list(selectors.visits_of(ticket)))
    if person.is_customer:  # the report's files, beside the report they confirm
        files = attachment_views.cards("visit", [r["visit"].pk for r in rows], reader=person)
        for r in rows:
            r["attachments"] = files[r["visit"].pk]
    return {
        "rows": rows,
        "can_plan": can_plan,
        "plan_form": plan_form if can_plan else None,
        "can_confirm": person.is_customer,
    }
