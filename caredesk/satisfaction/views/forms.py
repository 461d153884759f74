"""The survey's form (the public page) and the follow-up's close form. Forms parse; the
services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from caredesk.tickets.rules import Limits

from ..models import DIMENSIONS, QUESTIONS

SCORES = [(str(n), str(n)) for n in range(1, 6)]
SOLVED = [("yes", _("Yes")), ("no", _("No"))]


class AnswerForm(forms.Form):
    responsiveness = forms.ChoiceField(
        label=QUESTIONS["responsiveness"], choices=SCORES, widget=forms.RadioSelect
    )
    attitude = forms.ChoiceField(
        label=QUESTIONS["attitude"], choices=SCORES, widget=forms.RadioSelect
    )
    technical_skill = forms.ChoiceField(
        label=QUESTIONS["technical_skill"], choices=SCORES, widget=forms.RadioSelect
    )
    communication = forms.ChoiceField(
        label=QUESTIONS["communication"], choices=SCORES, widget=forms.RadioSelect
    )
    solved = forms.ChoiceField(
        label=_("Is your problem solved?"), choices=SOLVED, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Anything else you want to tell us?"),
        required=False,
        max_length=Limits.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def score_fields(self):
        return [self[d] for d in DIMENSIONS]

    def verb_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{d: int(data[d]) for d in DIMENSIONS},
            "solved": data["solved"] == "yes",
            "comment": data["comment"],
        }


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=Limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
