"""Search over titles, customer words and comments: zh two-character words, English, mixed,
and never a ticket (or an internal note) the reader may not see."""

import pytest

from caredesk.tickets import search, selectors, services
from caredesk.tickets.selectors import TicketFilters


def found(person, q, **filters):
    rows, _cursor = selectors.ticket_page(person, TicketFilters(q=q, **filters), None, 50)
    return [t.pk for t in rows]


@pytest.fixture
def outage(open_request):
    return open_request(
        title="基站断网告警",
        customer_voice="今天早上开始湖滨片区基站断网，核心网出现大量告警，用户无法上网。",
    )


@pytest.fixture
def upgrade(open_request):
    return open_request(
        title="BTS alarms after the software upgrade",
        customer_voice="After last night's upgrade the BTS raises power alarms every hour.",
    )


def test_two_character_chinese_words_are_found(cast, outage, upgrade):
    assert found(cast.b, "断网") == [outage.pk]
    assert found(cast.b, "告警") == [outage.pk]
    assert found(cast.y, "上网") == [outage.pk]


def test_a_word_inside_a_longer_word_is_found(cast, outage):
    # 核心网 is one word for jieba; its parts are indexed too.
    assert found(cast.b, "核心网") == [outage.pk]
    assert found(cast.b, "核心") == [outage.pk]


def test_every_word_of_a_query_must_match(cast, outage, upgrade):
    assert found(cast.b, "断网告警") == [outage.pk]
    assert found(cast.b, "断网 升级") == []


def test_english_words_match_case_blind_and_by_prefix(cast, outage, upgrade):
    assert found(cast.b, "upgrade") == [upgrade.pk]
    assert found(cast.b, "ALARM") == [upgrade.pk]  # alarm → alarms
    assert found(cast.b, "power alarms") == [upgrade.pk]
    assert found(cast.b, "firmware") == []


def test_mixed_chinese_and_english(cast, open_request, outage, upgrade):
    mixed = open_request(title="BTS 升级后告警", customer_voice="升级以后 BTS 一直告警")
    assert found(cast.b, "BTS 告警") == [mixed.pk]
    assert sorted(found(cast.b, "bts")) == sorted([mixed.pk, upgrade.pk])


def test_a_single_character_falls_back_to_a_substring_scan(cast, outage, upgrade):
    assert found(cast.b, "网") == [outage.pk]
    assert found(cast.b, "鹅") == []


def test_ticket_number_finds_that_ticket(cast, outage, upgrade):
    assert found(cast.b, upgrade.number) == [upgrade.pk]
    assert found(cast.b, upgrade.number.lower()) == [upgrade.pk]


def test_results_respect_who_may_see_the_ticket(cast, open_request, outage):
    hillside = open_request(
        actor=cast.z,
        customer_org=cast.orgs.hillside,
        region="hillside",
        title="山城基站断网",
        customer_voice="山城片区断网",
    )
    assert found(cast.y, "断网") == [outage.pk]  # lakeside contact: own branch only
    assert found(cast.z, "断网") == [hillside.pk]
    assert sorted(found(cast.x, "断网")) == sorted([outage.pk, hillside.pk])  # the province
    assert found(cast.o, "断网") == []  # another customer altogether
    assert found(cast.d, "断网") == []  # a partner sees only what was given to them
    assert sorted(found(cast.b, "断网")) == sorted([outage.pk, hillside.pk])


def test_internal_notes_are_searched_by_staff_only(cast, outage):
    services.add_comment(actor=cast.b, ticket=outage, body="怀疑光缆被挖断", public=False)
    services.add_comment(actor=cast.b, ticket=outage, body="已派工程师到现场抢修", public=True)
    assert found(cast.b, "光缆") == [outage.pk]
    assert found(cast.y, "光缆") == []
    assert found(cast.y, "抢修") == [outage.pk]
    assert found(cast.y, "光") == []  # the substring scan keeps notes private too


def test_customer_reply_is_indexed(cast, outage):
    services.add_comment(actor=cast.y, ticket=outage, body="重启以后还是掉话", public=True)
    assert found(cast.b, "掉话") == [outage.pk]


def test_edited_title_replaces_the_old_words(cast, upgrade):
    assert found(cast.b, "software") == [upgrade.pk]
    services.edit_ticket(
        actor=cast.b, ticket=upgrade, version=upgrade.version, changes={"title": "Cell outage"}
    )
    assert found(cast.b, "software") == []
    assert found(cast.b, "outage") == [upgrade.pk]
    assert found(cast.b, "upgrade") == [upgrade.pk]  # still in the customer's words


def test_search_combines_with_filters(cast, open_request, outage):
    p1 = open_request(title="核心网告警", customer_voice="大量告警", severity="P1")
    assert found(cast.b, "告警", severity="P1") == [p1.pk]
    assert found(cast.b, "告警", owner=cast.c.pk) == []


def test_pages_walk_every_match_newest_first(cast, open_request, monkeypatch):
    # Tiny chunks so one page needs several trips to the index, with tickets the reader
    # may not see in between.
    monkeypatch.setattr(search, "FIRST_CHUNK", 2)
    mine = []
    for i in range(7):
        mine.append(open_request(title=f"光纤告警 {i}", customer_voice="告警"))
        open_request(
            actor=cast.z,
            customer_org=cast.orgs.hillside,
            region="hillside",
            title="光纤告警",
            customer_voice="告警",
        )
    seen, cursor = [], None
    while True:
        rows, cursor = selectors.ticket_page(cast.y, TicketFilters(q="光纤"), cursor, 3)
        seen += [t.pk for t in rows]
        if cursor is None:
            break
    assert seen == [t.pk for t in reversed(mine)]


def test_rebuild_indexes_every_ticket_again(cast, outage, upgrade):
    from caredesk.tickets.models import SearchDocument

    SearchDocument.objects.all().delete()
    assert found(cast.b, "断网") == []
    assert search.rebuild(batch=1) == 2
    assert found(cast.b, "断网") == [outage.pk]


def test_api_search_and_bad_input(cast, api, outage):
    res = api(cast.y).get("/tickets?q=告警")
    assert res.status_code == 200
    assert [t["id"] for t in res.json()["items"]] == [outage.pk]
    assert api(cast.o).get("/tickets?q=告警").json()["items"] == []
    too_long = api(cast.b).get("/tickets?q=" + "告" * 201)
    assert too_long.status_code == 422
    assert too_long.json()["error"]["code"]
    assert api(cast.b).get("/tickets?q=告警&cursor=nonsense!").status_code == 422


def test_queries_with_quotes_and_operators_are_plain_words(cast, outage):
    for q in ['"断网', "断网 OR 1", "断网*", "告警' & '", "NEAR(断网)", "- 断网"]:
        assert found(cast.b, q) in ([outage.pk], []), q
    assert found(cast.b, '"断网"') == [outage.pk]


def test_queue_page_searches_in_chinese(cast, client, outage):
    client.force_login(cast.b)
    page = client.get("/queue/?tab=all&q=断网").content.decode()
    assert outage.number in page


# ---------------------------------------------------------------- numbers and names


def test_a_run_of_a_numbers_digits_finds_it(cast, open_request):
    tickets = [open_request(title="基站告警", customer_voice="告警") for _ in range(12)]
    ninth = tickets[8]
    prefix, year, sequence = ninth.number.split("-")
    assert found(cast.b, sequence) == [ninth.pk]  # 000009
    assert found(cast.b, f"{year}-{sequence}") == [ninth.pk]
    assert found(cast.b, ninth.number) == [ninth.pk]
    # Digits from the middle of the sequence, newest first: 0001 is in 000010, 000011, 000001…
    expected = [t.pk for t in reversed(tickets) if "0001" in t.number.split("-")[-1]]
    assert len(expected) >= 2
    assert found(cast.b, "0001") == expected
    # No ticket has this whole number: the tickets whose numbers it begins.
    begun = f"{prefix}-{year}-{sequence[:-1]}"
    expected = [t.pk for t in reversed(tickets) if t.number.startswith(begun)]
    assert found(cast.b, begun) == expected
    assert found(cast.z, sequence) == []  # Hillside's contact: not her ticket


def test_owner_customer_and_requester_names_are_searched(cast, open_request):
    lakeside = open_request()  # customer.y's, owned by engineer.b through the matrix
    hillside = open_request(actor=cast.z, customer_org=cast.orgs.hillside, region="hillside")
    assert found(cast.a, cast.y.name) == [lakeside.pk]  # the requester
    assert found(cast.a, "山城分公司") == [hillside.pk]  # the customer organisation
    owned_by_b = [t.pk for t in (hillside, lakeside) if t.owner_id == cast.b.pk]
    assert found(cast.a, cast.b.name) == owned_by_b
    assert found(cast.y, cast.b.name) == [lakeside.pk]  # customers find their owner too


def test_an_accepted_handoff_reindexes_the_owner(cast, open_request):
    ticket = open_request()
    handoff = services.propose_handoff(
        actor=cast.b, ticket=ticket, to_person=cast.c, reason="无线侧问题"
    )
    assert found(cast.a, cast.c.name) == []  # proposed is not owned
    services.accept_handoff(actor=cast.c, handoff=handoff)
    assert found(cast.a, cast.c.name) == [ticket.pk]
    assert found(cast.a, cast.b.name) == []
