"""The ticket page's notifications card: who will be told next, who was told, how it went."""

import re

from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.stakeholders import services as stakeholders
from caredesk.tickets import services


def _card(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">(.*?)</ul>', page, re.S)
    assert found, testid
    return found.group(1)


def test_card_lists_who_will_be_told_and_who_was_told(cast, client, open_request):
    stakeholders.add_stakeholder(
        actor=cast.admin, organisation=cast.orgs.province, person=cast.x, include_branches=True
    )
    ticket = open_request(product="transport")  # owned by partner.d
    deliver_due(worker="w1", batch=10)  # locmem mail in tests: delivered
    services.add_comment(actor=ticket.owner, ticket=ticket, body="On my way.")  # queued only
    client.force_login(ticket.owner)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    will = _card(page, "will-be-told")
    assert cast.y.name in will and cast.x.name in will and cast.z.name not in will
    assert "requester" in will and "stakeholder" in will
    told = _card(page, "was-told")
    assert told.count('data-state="sent"') == 3  # receipt, province, the owner's assignment
    assert told.count('data-state="pending"') == 1  # the reply, not yet sent
    assert "Delivered" in told and "Queued" in told and "Email" in told
    assert "/notify/messages/" not in told  # inspecting is for administrators


def test_failed_message_shows_and_links_for_admins(cast, client, open_request):
    ticket = open_request()
    Message.objects.filter(template="ticket_opened").update(state="dead", last_error="boom")
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    told = _card(client.get(f"/t/{ticket.number}/").content.decode(), "was-told")
    assert "Failed" in told and "/notify/messages/" in told


def test_resolved_ticket_looks_ahead_to_closure(cast, client, open_request):
    ticket = open_request()
    services.resolve(actor=cast.b, ticket=ticket, note="fixed")
    client.force_login(cast.b)
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "When the customer confirms closure" in page
    # The requester confirms herself: she is not told of her own action.
    assert "Nobody." in _card(page, "will-be-told")
