"""One catalogue of event kinds (caredesk.events): every subscription a stakeholder can pick
is wired to an event, every customer-facing kind to its message in both languages, every
timeline kind to an entry kind, every escalation reaction to the engine — and nothing publishes
a kind outside the catalogue."""

import pytest
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from caredesk import clock, events
from caredesk.escalation import engine
from caredesk.stakeholders.models import Subscription
from caredesk.tickets.models import EntryKind

# Subscriptions whose events arrive with later issues (changes, alarm masking): listed here
# on purpose, so a new one cannot be forgotten silently.
AWAITING_THEIR_ISSUE = {
    Subscription.CHANGE_PLANNED,
    Subscription.CHANGE_DONE,
    Subscription.MASK_ADDED,
    Subscription.MASK_EXPIRING,
}


def test_every_kind_is_catalogued():
    assert set(events.CATALOGUE) == set(events.EventKind)


def test_every_subscription_is_wired_to_an_event():
    wired = {r.subscription for r in events.CATALOGUE.values() if r.subscription}
    assert wired | AWAITING_THEIR_ISSUE == set(Subscription.values)
    assert not wired & AWAITING_THEIR_ISSUE


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_customer_facing_kind_has_its_message(language):
    for kind, r in events.CATALOGUE.items():
        if not r.subscription:
            continue
        assert r.template, kind
        try:
            get_template(f"notify/{r.template}.{language}.txt")
        except TemplateDoesNotExist:
            pytest.fail(f"{kind}: no notify/{r.template}.{language}.txt")


def test_every_timeline_kind_and_reaction_exists():
    for kind, r in events.CATALOGUE.items():
        assert not r.timeline or r.timeline in EntryKind.values, kind
        assert not r.escalation or r.escalation in engine.REACTIONS, kind
    assert set(engine.REACTIONS) == {r.escalation for r in events.CATALOGUE.values()} - {""}


@pytest.mark.django_db
def test_a_kind_outside_the_catalogue_is_refused():
    with transaction.atomic(), pytest.raises(ValueError):
        events.publish(
            events.Event(kind="ticket.vanished", ticket_id=1, actor_id=None, at=clock.now())
        )
