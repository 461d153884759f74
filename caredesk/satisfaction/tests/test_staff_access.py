"""Who reads surveys: the office's staff. Customers never reach the staff survey API or pages
(they only answer their own link), partners neither; an outsider office sees nothing of ours."""

import pytest

from caredesk.directory.models import Organisation, OrgKind, Person, Role
from caredesk.satisfaction import selectors

from .factories import low_answer, sent_survey


@pytest.fixture
def answered(cast, open_request):
    survey, token = sent_survey(open_request(), cast.y)
    low_answer(token)
    return survey


def test_customers_and_partners_never_reach_the_staff_survey_api(cast, api, answered):
    for person in (cast.y, cast.x, cast.z, cast.o, cast.d):
        assert api(person).get("/surveys").status_code == 403
        assert api(person).get("/survey-follow-ups").status_code == 403


def test_office_staff_read_surveys_scores_and_the_response_rate(cast, api, answered):
    body = api(cast.b).get("/surveys").json()
    assert [i["id"] for i in body["items"]] == [answered.pk]
    item = body["items"][0]
    assert item["answer"]["responsiveness"] == 2 and item["answer"]["low"] is True
    (rate,) = body["response_rates"]
    assert (rate["sent"], rate["answered"], rate["response_rate"]) == (1, 1, 1.0)
    assert rate["averages"]["attitude"] == 3.0


def test_an_outsider_office_sees_none_of_ours(cast, api, answered):
    elsewhere = Organisation.objects.create(
        name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=cast.orgs.hq
    )
    outsider = Person.objects.create(
        username="engineer.n", role=Role.ENGINEER, organisation=elsewhere
    )
    body = api(outsider).get("/surveys").json()
    assert body["items"] == [] and body["response_rates"] == []
    assert api(outsider).get("/survey-follow-ups").json()["items"] == []
    follow_up = answered.follow_up
    assert (
        api(outsider).post(f"/survey-follow-ups/{follow_up.pk}/close", {"note": "x"}).status_code
        == 404
    )


def test_filters_narrow_the_list(cast, api, open_request):
    first, _ = sent_survey(open_request(), cast.y)
    second, token = sent_survey(open_request(actor=cast.x, customer_org=cast.orgs.province), cast.x)
    low_answer(token)
    ids = lambda q: [i["id"] for i in api(cast.a).get(f"/surveys?{q}").json()["items"]]  # noqa: E731
    assert ids("") == [second.pk, first.pk]
    assert ids("state=low") == [second.pk]
    assert ids("state=unanswered") == [first.pk]
    assert ids("about=complaint") == []
    assert api(cast.a).get("/surveys?state=bogus").status_code == 422


def test_the_staff_page_shows_the_rate_per_office(cast, client, answered):
    client.force_login(cast.a)
    page = client.get("/surveys/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "100.0%" in text and answered.ticket.number in text
    for outsider in (cast.y, cast.d):
        client.force_login(outsider)
        assert client.get("/surveys/").status_code == 404


def test_response_rates_count_from_the_tally_in_one_query(
    cast, answered, django_assert_num_queries
):
    selectors.response_rates(cast.a)  # the reference data cached, as in any request
    with django_assert_num_queries(1):
        (rate,) = selectors.response_rates(cast.a)
    assert rate.rate == 1.0
