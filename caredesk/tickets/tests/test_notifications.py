"""Who is told about a ticket event (seed case 4: the branch that asked must hear the fix)."""

import pytest
from django.core import mail
from django.db import transaction

from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.stakeholders import services as stakeholders
from caredesk.tickets import services


def _told(kind_template: str) -> dict[str, str]:
    """username -> channel of the messages queued with this template."""
    rows = Message.objects.filter(template=kind_template).select_related("recipient")
    return {m.recipient.username: m.channel for m in rows}


@pytest.fixture
def province_map(cast):
    """The province supervisor hears about every branch; each branch has its own contact."""
    stakeholders.add_stakeholder(
        actor=cast.admin, organisation=cast.orgs.province, person=cast.x, include_branches=True
    )
    stakeholders.add_stakeholder(actor=cast.admin, organisation=cast.orgs.hillside, person=cast.z)


def test_case4_branch_request_resolved_tells_requester_and_province_not_other_branch(
    cast, open_request, province_map
):
    ticket = open_request(product="transport")  # Lakeside, asked by customer.y
    services.resolve(actor=ticket.owner, ticket=ticket, note="清理防尘网后温度正常。")
    told = _told("ticket_resolved")
    assert told == {"customer.y": "email", "customer.x": "email"}
    assert "customer.z" not in told  # Hillside's contact: not her branch's request
    deliver_due(worker="w1", batch=50)
    subjects = {m.to[0]: m.subject for m in mail.outbox if "已解决" in m.subject}
    assert set(subjects) == {cast.y.email, cast.x.email}
    assert all(ticket.number in s for s in subjects.values())


def test_hillside_request_reaches_hillside_contact_and_province(cast, province_map):
    ticket = services.open_ticket(
        actor=cast.z,
        customer_org=cast.orgs.hillside,
        product=cast.products.core,
        region=cast.regions.hillside,
        severity="P2",
        channel="portal",
        title="Core down",
        customer_voice="Everything is down.",
    )
    # customer.z asked (a receipt for her); the province hears; Lakeside's contact does not.
    assert _told("ticket_opened") == {"customer.z": "email", "customer.x": "email"}
    assert _told("ticket_assigned") == {ticket.owner.username: "email"}


def test_scope_by_product_and_site(cast, open_request):
    stakeholders.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.a,  # vendor staff may watch a customer's map too
        products=[cast.products.transport],
        sites=["OTN-07"],
    )
    open_request(product="transport", site="湖滨二号机房 OTN-07")
    open_request(product="transport", site="OTN-99")
    open_request(product="core", site="OTN-07")
    assert Message.objects.filter(template="ticket_opened", recipient=cast.a).count() == 1


def test_unsubscribed_kind_is_not_sent(cast, open_request):
    stakeholders.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.x,
        subscriptions=["resolved"],
    )
    ticket = open_request()
    assert "customer.x" not in _told("ticket_opened")
    services.resolve(actor=ticket.owner, ticket=ticket, note="done")
    assert "customer.x" in _told("ticket_resolved")


def test_handoff_is_internal_until_accepted_then_customer_hears_new_owner(cast, open_request):
    ticket = open_request()  # owned by engineer.b
    handoff = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    assert _told("handoff_proposed") == {"engineer.c": "email"}
    assert not Message.objects.filter(recipient=cast.y).exclude(template="ticket_opened").exists()
    services.accept_handoff(actor=cast.c, handoff=handoff)
    assert _told("owner_changed") == {"customer.y": "email"}
    assert _told("handoff_accepted") == {"engineer.b": "email"}
    changed = Message.objects.get(template="owner_changed")
    assert changed.context["owner_name"] == cast.c.name
    assert changed.context["owner_phone"] == cast.c.phone


def test_declined_and_cancelled_handoffs_tell_the_other_side(cast, open_request):
    ticket = open_request()
    first = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.c, reason="r")
    services.decline_handoff(actor=cast.c, handoff=first, reason="Core issue, not radio.")
    declined = Message.objects.get(template="handoff_declined")
    assert declined.recipient == cast.b
    assert declined.context["text"] == "Core issue, not radio."
    second = services.propose_handoff(actor=cast.b, ticket=ticket, to_person=cast.d, reason="r")
    services.cancel_handoff(actor=cast.b, handoff=second)
    assert _told("handoff_cancelled") == {"partner.d": "email"}


def test_nobody_is_told_of_their_own_action_and_private_notes_stay_inside(cast, open_request):
    ticket = open_request()
    services.add_comment(actor=cast.b, ticket=ticket, body="internal note", public=False)
    assert not Message.objects.filter(template="ticket_reply").exists()
    services.add_comment(actor=cast.b, ticket=ticket, body="We are on it.")
    assert _told("ticket_reply") == {"customer.y": "email"}
    services.add_comment(actor=cast.y, ticket=ticket, body="Thanks, still dropping.")
    assert _told("customer_replied") == {"engineer.b": "email"}
    assert not Message.objects.filter(template="customer_replied", recipient=cast.y).exists()


def test_messages_are_in_each_recipients_language(cast):
    ticket = services.open_ticket(
        actor=cast.o,
        customer_org=cast.orgs.other,
        product=cast.products.core,
        region=cast.regions.lakeside,
        severity="P3",
        channel="portal",
        title="KPI report",
        customer_voice="Please send it.",
    )
    receipt = Message.objects.get(template="ticket_opened")
    assigned = Message.objects.get(template="ticket_assigned")
    assert (receipt.language, assigned.language) == ("en", "zh-hans")
    deliver_due(worker="w1", batch=10)
    by_to = {m.to[0]: m.subject for m in mail.outbox}
    assert by_to[cast.o.email].startswith(f"[#{ticket.number}] Request registered")
    assert by_to[ticket.owner.email].startswith(f"[#{ticket.number}] 新工单由您负责")


def test_group_robot_shared_by_two_stakeholders_posts_once(cast, open_request):
    from caredesk.notify.models import Endpoint

    Endpoint.objects.create(
        name="湖滨值班群", kind="wecom", organisation=cast.orgs.province, url="http://127.0.0.1:9/x"
    )
    for person in (cast.x, cast.z):
        stakeholders.add_stakeholder(
            actor=cast.admin,
            organisation=cast.orgs.province,
            person=person,
            channel="wecom",
            include_branches=True,
        )
    open_request()
    posts = Message.objects.filter(template="ticket_opened", channel="wecom")
    assert posts.count() == 1 and posts.get().address == "湖滨值班群"


def test_outbox_rows_roll_back_with_a_failed_verb(cast, open_request):
    ticket = open_request()
    before = Message.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.resolve(actor=cast.b, ticket=ticket, note="done")
        raise RuntimeError("the rest of the change failed")
    assert Message.objects.count() == before
