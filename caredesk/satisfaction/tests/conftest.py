import re

import pytest

from caredesk.notify.models import Message
from caredesk.tickets import services as ticket_services

DAY = 24 * 60


@pytest.fixture
def closed_ticket(cast, open_request, at):
    """A factory: customer.y's request, resolved by its owner and confirmed closed by the
    branch contact at `minute` on the test clock (T0 + minutes)."""

    def make(minute: float = 0, actor=None, **extra):
        at(minute, fire=False)
        ticket = open_request(actor=actor or cast.y, **extra)
        ticket_services.resolve(actor=ticket.owner, ticket=ticket, note="换了光模块")
        ticket.refresh_from_db()
        ticket_services.confirm_closure(actor=cast.y, ticket=ticket, note="好的")
        ticket.refresh_from_db()
        return ticket

    return make


def link_of(contact) -> str:
    """The survey link in the newest invitation queued for `contact` (what the mail says)."""
    message = (
        Message.objects.filter(recipient=contact, template="survey_invite").order_by("-id").first()
    )
    assert message is not None, "no survey invitation was queued"
    return message.context["url"]


def token_of(contact) -> str:
    return re.search(r"/s/([^/]+)/$", link_of(contact)).group(1)
