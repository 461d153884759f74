"""Pages given a hand-edited address: an id past the database's range, a digit that is not
ASCII. Each answers a 4xx or the page, never a 500."""

import pytest

from caredesk.notify.models import Message

HUGE = 2**63


def login(client, person):
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


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
