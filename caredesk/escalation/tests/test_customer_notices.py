"""Every subscription is wired: a stakeholder subscribed to "escalated" hears when a chain
calls someone in — written for customers (who, with their phone), in their language — and
reminders to the owner stay internal (issue 9, item 6)."""

from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.stakeholders import services as stakeholders
from caredesk.stakeholders.models import Subscription


def _notices(person):
    return list(
        Message.objects.filter(template="ticket_escalated", recipient=person).order_by("id")
    )


def test_a_stakeholder_subscribed_to_escalations_hears_of_one(chains, open_request, at, smtp):
    cast = chains
    cast.x.language = "en"
    cast.x.save(update_fields=["language"])
    stakeholders.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.province,
        person=cast.x,
        include_branches=True,
        subscriptions=[Subscription.ESCALATED],
    )
    stakeholders.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.province,
        person=cast.z,
        include_branches=True,
        subscriptions=[Subscription.RESOLVED],
    )
    at(0, fire=False)
    ticket = open_request(severity="P1")  # customer.y asks; engineer.b owns it
    at(0)  # level 1 reminds the owner: nothing for the customer
    assert _notices(cast.x) == [] and _notices(cast.y) == []
    at(10)  # level 2 calls in the backup, engineer.c
    (notice,) = _notices(cast.x)
    assert notice.context["called_name"] == cast.c.name
    assert [m.context["called_name"] for m in _notices(cast.y)] == [cast.c.name]
    assert _notices(cast.z) == []  # subscribed to other kinds only
    at(20)  # level 3 and the acknowledge breach both call manager.a: one notice about her
    assert [m.context["called_name"] for m in _notices(cast.x)] == [cast.c.name, cast.a.name]
    deliver_due(worker="w1", batch=50)
    mails = {
        str(m["Subject"]): m.get_content()
        for rcpt, m in smtp.inbox.messages
        if rcpt == [cast.x.email] and "Escalated" in str(m["Subject"])
    }
    subject = next(s for s in mails if cast.c.name in s)
    called_in = f"[#{ticket.number}] Escalated: backup engineer {cast.c.name} called in"
    assert subject == f"{called_in}: {ticket.title}"
    body = mails[subject]
    assert "has not been acknowledged yet" in body and cast.c.phone in body
    to_y = Message.objects.filter(template="ticket_escalated", recipient=cast.y).first()
    assert "已升级" in to_y.subject and "备份工程师" in to_y.subject
    assert cast.c.phone in to_y.body


def test_after_an_outage_the_customer_hears_once_of_everyone_called_in(chains, open_request, at):
    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P1")
    at(300)  # both chains fire at once: the account head (level 6) and the manager
    (notice,) = _notices(cast.y)
    assert notice.context["called_name"] == cast.w.name
    # The levels caught up under it (the owner's reminder left out); manager.a once, though
    # the clock chain called her too.
    assert [p["name"] for p in notice.context["also_called"]] == [
        cast.c.name,
        cast.a.name,
        cast.p.name,
        cast.s.name,
    ]
    assert {p["phone"] for p in notice.context["also_called"]} >= {cast.a.phone, cast.c.phone}
    assert ticket.timeline.filter(data__tell_customer=True).count() == 1


def test_an_unaccepted_hand_off_escalates_inside_the_office_only(chains, open_request, at):
    from caredesk.tickets import services

    cast = chains
    at(0, fire=False)
    ticket = open_request(severity="P3")
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    for minute in (30, 60):
        at(minute)  # the proposed owner, the owner, then the service manager
    assert ticket.timeline.filter(data__target_role="service_manager").exists()
    assert Message.objects.filter(template="ticket_escalated").count() == 0
