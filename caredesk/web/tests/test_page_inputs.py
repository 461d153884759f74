"""Pages given a hand-edited address: a bad cursor, an id past the database's range, a digit
that is not ASCII. Each answers a 4xx or the page, never a 500."""

import base64

import pytest

from caredesk.notify.models import Message

HUGE = 2**63


def cursor_for(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = ["zzz", "garbage!", cursor_for(f"t:{HUGE}"), cursor_for("t:²"), cursor_for("x:5")]


def login(client, person):
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_queue_with_a_bad_cursor_shows_the_first_page_with_400(cast, client, open_request, cursor):
    ticket = open_request()  # owned by engineer.b
    login(client, cast.b)
    res = client.get(f"/queue/?tab=mine&cursor={cursor}")
    assert res.status_code == 400
    page = res.content.decode()
    assert "Not a page link this list gave out." in page
    assert ticket.number in page


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_portal_with_a_bad_cursor_shows_the_first_page_with_400(cast, client, open_request, cursor):
    ticket = open_request()
    login(client, cast.y)
    res = client.get(f"/portal/?cursor={cursor}")
    assert res.status_code == 400
    assert ticket.number in res.content.decode()


def test_queue_search_with_a_nul_answers(cast, client, open_request):
    open_request()
    login(client, cast.b)
    assert client.get("/queue/?tab=mine&q=%00").status_code == 200


@pytest.mark.parametrize("before", ["²", "٣", str(HUGE), "-1", "abc"])
def test_dead_letters_ignore_a_before_that_is_not_an_id(cast, client, before):
    login(client, cast.admin)
    res = client.get(f"/notify/dead/?before={before}")
    assert res.status_code == 200


def test_retrying_selected_ignores_ids_that_are_not_ids(cast, client):
    login(client, cast.admin)
    res = client.post("/notify/dead/retry/", {"ids": ["²", str(HUGE), "7"]})
    assert res.status_code == 302
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [("9999-12-31T20:00", "9999-12-31T23:59"), ("0001-01-01T00:00", "0001-01-01T01:00")],
)
def test_an_override_past_the_calendars_edge_is_a_form_error(cast, client, starts_at, ends_at):
    from caredesk.escalation.models import RosterOverride

    cast.a.time_zone = "America/Los_Angeles"  # west of UTC: 9999-12-31 20:00 is year 10000 in UTC
    cast.a.save(update_fields=["time_zone"])
    login(client, cast.a)
    team = next(iter(cast.teams.values()))
    res = client.post(
        "/oncall/overrides/",
        {
            "team": team.pk,
            "person": cast.b.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "reason": "holiday swap",
        },
    )
    assert res.status_code == 422
    assert "Give a time between 1970 and 9000." in res.content.decode()
    assert not RosterOverride.objects.exists()


@pytest.mark.parametrize("field", ["products", "regions"])
def test_a_stakeholder_scope_past_the_id_range_is_a_form_error(cast, client, field):
    from caredesk.stakeholders.models import Stakeholder

    login(client, cast.a)
    org = cast.orgs.lakeside.pk
    res = client.post(
        f"/customers/{org}/stakeholders/add/",
        {"person": cast.y.pk, "channel": "email", field: [str(HUGE)]},
    )
    assert res.status_code == 422
    assert str(HUGE) in res.content.decode()  # "… is not a valid value." names it
    assert not Stakeholder.objects.filter(person=cast.y, organisation=org).exists()


def test_a_stakeholder_scope_in_range_is_saved(cast, client):
    from caredesk.stakeholders.models import Stakeholder

    login(client, cast.a)
    org = cast.orgs.lakeside.pk
    res = client.post(
        f"/customers/{org}/stakeholders/add/",
        {"person": cast.y.pk, "channel": "email", "products": [cast.products.core.pk]},
    )
    assert res.status_code == 302
    entry = Stakeholder.objects.get(person=cast.y, organisation=org)
    assert list(entry.products.all()) == [cast.products.core]
