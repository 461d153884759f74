"""Each rule stated once: the API, the page forms and the services agree on the status rules
and on every text limit — a text one edge accepts is never refused by another."""

import pytest

from caredesk.errors import ValidationFailed
from caredesk.tickets import forms, rules, services
from caredesk.tickets.api import (
    CallIn,
    CommentIn,
    ConclusionIn,
    ConfirmIn,
    DeclineIn,
    HandoffIn,
    ReopenIn,
    ResolveIn,
    TicketIn,
)
from caredesk.tickets.rules import Limits


def _api_max(schema, field: str) -> int:
    meta = schema.model_fields[field].metadata
    return next(m.max_length for m in meta if hasattr(m, "max_length"))


@pytest.mark.parametrize(
    ("schema", "field", "form", "limit"),
    [
        (TicketIn, "title", forms.NewRequestForm, Limits.TITLE),
        (TicketIn, "site", forms.NewRequestForm, Limits.SITE),
        (TicketIn, "customer_voice", forms.NewRequestForm, Limits.TEXT),
        (CommentIn, "body", forms.CommentForm, Limits.TEXT),
        (CallIn, "note", forms.CallForm, Limits.NOTE),
        (CallIn, "party", forms.CallForm, Limits.PARTY),
        (ConclusionIn, "text", forms.ConclusionForm, Limits.TEXT),
        (ConclusionIn, "reason", forms.ConclusionForm, Limits.REASON),
        (ResolveIn, "note", forms.ResolveForm, Limits.TEXT),
        (ConfirmIn, "note", forms.ConfirmForm, Limits.NOTE),
        (ReopenIn, "reason", forms.ReopenForm, Limits.TEXT),
        (DeclineIn, "reason", forms.DeclineForm, Limits.REASON),
        (HandoffIn, "reason", forms.HandoffForm, Limits.REASON),
    ],
)
def test_api_and_form_limits_are_the_rule(schema, field, form, limit):
    assert _api_max(schema, field) == limit
    assert form.base_fields[field].max_length == limit


def test_decline_reason_limit_is_the_same_at_every_edge(cast, api, open_request):
    ticket = open_request()
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    too_long = "因" * (Limits.REASON + 1)
    res = api(cast.c).post(f"/handoffs/{handoff.pk}/decline", {"reason": too_long})
    assert res.status_code == 422
    with pytest.raises(ValidationFailed):
        services.decline_handoff(actor=cast.c, handoff=handoff, reason=too_long)
    ok = "因" * Limits.REASON
    assert api(cast.c).post(f"/handoffs/{handoff.pk}/decline", {"reason": ok}).status_code == 200


def test_status_rules_are_the_services_and_the_forms():
    assert set(forms.StatusForm.base_fields["status"].choices) == {
        (s, s.label) for s in rules.MANUAL_STATUSES
    }
    assert services.working.STATUS_MOVES is rules.STATUS_MOVES
