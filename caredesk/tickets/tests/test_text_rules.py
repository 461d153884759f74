"""A title and the customer's words need something a person can read, and no NUL byte: the
services refuse them, so the API and the portal form answer the same."""

import pytest

from caredesk.errors import ValidationFailed
from caredesk.tickets import services
from caredesk.tickets.models import Ticket, TimelineEntry

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200e\u200f",  # direction marks
    "\ufeff",  # byte order mark
    "\u0301\u0308",  # combining marks with no letter
    " \u3000\t",  # whitespace, ideographic space
]


@pytest.mark.parametrize("field", ["title", "customer_voice"])
@pytest.mark.parametrize("text", [*INVISIBLE, "掉话\x00"])
def test_open_ticket_refuses_invisible_or_nul_text(cast, open_request, field, text):
    with pytest.raises(ValidationFailed) as refused:
        open_request(**{field: text})
    assert field in refused.value.fields
    assert not Ticket.objects.exists()


def test_a_title_with_a_visible_letter_among_invisible_ones_is_kept(cast, open_request):
    ticket = open_request(title="\u200bCalls drop", customer_voice="e\u0301 \u200b")
    assert ticket.title == "\u200bCalls drop"
    assert ticket.customer_voice == "e\u0301 \u200b"  # kept verbatim


@pytest.mark.parametrize("text", ["\u200b\u200e", "x\x00"])
def test_editing_a_title_refuses_the_same(cast, open_request, text):
    ticket = open_request()
    with pytest.raises(ValidationFailed) as refused:
        services.edit_ticket(
            actor=ticket.owner, ticket=ticket, version=ticket.version, changes={"title": text}
        )
    assert "title" in refused.value.fields
    ticket.refresh_from_db()
    assert ticket.title == "Base station keeps dropping calls"


def test_a_comment_of_invisible_characters_is_refused(cast, open_request):
    ticket = open_request()
    before = TimelineEntry.objects.count()
    with pytest.raises(ValidationFailed):
        services.add_comment(actor=ticket.owner, ticket=ticket, body="\u200b\ufeff")
    assert TimelineEntry.objects.count() == before


def test_the_api_answers_422_naming_the_field(cast, api):
    body = {
        "customer_org": cast.orgs.lakeside.pk,
        "product": "core",
        "region": "lakeside",
        "severity": "P2",
        "title": "\u200b\u200e",
        "customer_voice": "\ufeff",
    }
    res = api(cast.y).post("/tickets", body)
    assert res.status_code == 422
    assert res["Content-Type"].startswith("application/json")
    assert {"title", "customer_voice"} <= set(res.json()["error"]["fields"])
    assert not Ticket.objects.exists()


def test_the_portal_form_shows_the_refusal(cast, client):
    client.force_login(cast.y)
    client.cookies["django_language"] = "en"
    res = client.post(
        "/portal/new/",
        {
            "customer_org": cast.orgs.lakeside.pk,
            "product": cast.products.core.pk,
            "region": cast.regions.lakeside.pk,
            "severity": "P2",
            "title": "\u200b",
            "customer_voice": "\u200e",
        },
    )
    assert res.status_code == 422
    assert "This field is required." in res.content.decode()
    assert not Ticket.objects.exists()
