"""One person, one message per event: the owner who is also the service manager, or one
person named by several steps (or by several channels that end at the same address), hears
once (issue 9, item 4)."""

from caredesk.escalation.models import EscalationPolicy
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.tickets.models import EntryKind


def test_owner_who_is_also_the_service_manager_gets_one_message(chains, open_request, at, smtp):
    cast = chains
    policy = EscalationPolicy.objects.create(name="P4 at once", trigger="opened", severity="P4")
    policy.steps.create(order=1, target="owner", wait_minutes=5, condition="not_acknowledged")
    policy.steps.create(
        order=2,
        target="service_manager",
        wait_minutes=0,
        channels="sms,email",
        condition="not_acknowledged",
    )
    at(0, fire=False)
    # manager.a takes the call, so owns it (first contact) — and is the region's manager.
    ticket = open_request(actor=cast.a, channel="phone", severity="P4", requester=cast.y)
    assert ticket.owner == cast.a
    at(5)
    steps = ticket.timeline.filter(kind=EntryKind.ESCALATED).order_by("id")
    assert [(e.data["step"], e.data["target_name"]) for e in steps] == [
        (1, cast.a.name),
        (2, cast.a.name),
    ]
    (message,) = Message.objects.filter(template="escalation")
    assert message.recipient == cast.a and message.context["level"] == 2
    deliver_due(worker="w1", batch=20)
    to_a = [m for rcpt, m in smtp.inbox.messages if rcpt == [cast.a.email]]
    assert len([m for m in to_a if "升级" in str(m["Subject"])]) == 1
    assert "您同时是第1级联系人" in Message.objects.get(pk=message.pk).body


def test_the_contacts_card_lists_each_person_once(chains, open_request, at, client):
    cast = chains
    at(0, fire=False)
    ticket = open_request(actor=cast.a, channel="phone", severity="P1", requester=cast.y)
    at(0)
    client.force_login(cast.a)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    card = page[page.index('data-testid="escalation-contacts"') :]
    card = card[: card.index("</ul>")]
    # The owner is also the service manager: one line; the backup and the ladder above.
    for person in (cast.a, cast.c, cast.p, cast.s, cast.w):
        assert card.count(f"· {person.name}") == 1, person
    # The backup is next (level 2): marked on their own line, not listed twice.
    assert 'data-role="backup" data-testid="next-escalation"' in card
