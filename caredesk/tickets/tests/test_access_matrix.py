"""Every role × every ticket endpoint × a ticket of their own organisation and of another.

Two tickets: L (the Lakeside branch's, served by 江南代表处, owned by engineer.b) and N (another
operator's, served by a second office, owned by that office's engineer). Someone who may not see
a ticket gets 404 from every endpoint; someone who sees it gets what their part allows.
"""

import types

import pytest

from caredesk.directory.models import Organisation, OrgKind, Person, Region, Role
from caredesk.tickets import services

# Who sees which ticket. The hotline sits at HQ, above both offices.
VISIBLE = {
    "y": {"L"},
    "x": {"L"},
    "z": set(),  # the other city branch
    "o": {"N"},
    "d": set(),  # partner: only what is handed to them
    "b": {"L"},
    "c": {"L"},
    "a": {"L"},
    "p": {"L"},
    "s": {"L"},
    "w": {"L"},
    "h": {"L", "N"},
    "admin": {"L"},
    "e2": {"N"},
}
OWNER = {"L": "b", "N": "e2"}
# Whom the owner proposes a hand-off to (the only one who may accept it).
TARGET = {"L": "c", "N": "d"}
MANAGERS = {"L": {"a", "admin"}, "N": set()}
CUSTOMERS = {"L": {"y", "x"}, "N": {"o"}}

# endpoint: status for (owner, manager, other staff, customer) on a visible ticket
EXPECTED = {
    "get": (200, 200, 200, 200),
    "comment": (201, 201, 201, 201),
    "call": (201, 201, 201, 403),
    "patch": (200, 200, 403, 403),
    "acknowledge": (200, 403, 403, 403),
    "conclusion": (201, 201, 403, 403),
    "handoff": (201, 201, 403, 403),
    "resolve": (200, 200, 403, 403),
    "confirm": (403, 403, 403, 200),
    "reopen": (403, 403, 403, 200),
    "accept": (403, 403, 403, 403),
}


def category(who: str, key: str) -> int:
    if who == OWNER[key]:
        return 0
    if who in MANAGERS[key]:
        return 1
    if who in CUSTOMERS[key]:
        return 3
    return 2


@pytest.fixture
def world(cast, open_request):
    hq = cast.orgs.hq
    office2 = Organisation.objects.create(name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=hq)
    e2 = Person.objects.create(
        username="engineer.e2",
        display_name="E2",
        role=Role.ENGINEER,
        organisation=office2,
        phone="135-0000-0009",
    )
    north = Region.objects.create(code="north", name="北岭", office=office2, service_manager=e2)
    tickets = {
        "L": open_request(),
        "N": open_request(actor=cast.o, customer_org=cast.orgs.other, region="lakeside"),
    }
    # N moves to the second office: e2 takes it over, then files it under a region there.
    h = services.propose_handoff(actor=cast.b, ticket=tickets["N"], to_person=e2, reason="north")
    services.accept_handoff(actor=e2, handoff=h)
    version = type(tickets["N"]).objects.get(pk=tickets["N"].pk).version
    services.edit_ticket(actor=e2, ticket=tickets["N"], version=version, changes={"region": north})
    people = {name: getattr(cast, name) for name in VISIBLE if name != "e2"} | {"e2": e2}
    return types.SimpleNamespace(tickets=tickets, people=people)


def call(api, world, who, key, endpoint):
    ticket = world.tickets[key]
    tid = ticket.pk
    owner = world.people[OWNER[key]]
    client = api(world.people[who])
    target = world.people[TARGET[key]]
    version = type(ticket).objects.get(pk=tid).version
    if endpoint in ("confirm", "reopen"):
        services.resolve(actor=owner, ticket=ticket, note="done")
    if endpoint == "accept":
        h = services.propose_handoff(actor=owner, ticket=ticket, to_person=target, reason="r")
        return client.post(f"/handoffs/{h.pk}/accept")
    return {
        "get": lambda: client.get(f"/tickets/{tid}"),
        "comment": lambda: client.post(f"/tickets/{tid}/comments", {"body": "hello"}),
        "call": lambda: client.post(
            f"/tickets/{tid}/calls", {"direction": "outbound", "outcome": "answered"}
        ),
        "patch": lambda: client.patch(f"/tickets/{tid}", {"version": version, "title": "T2"}),
        "acknowledge": lambda: client.post(f"/tickets/{tid}/acknowledge"),
        "conclusion": lambda: client.post(f"/tickets/{tid}/conclusion", {"text": "cause"}),
        "handoff": lambda: client.post(
            f"/tickets/{tid}/handoffs", {"to_person": target.pk, "reason": "r"}
        ),
        "resolve": lambda: client.post(f"/tickets/{tid}/resolve", {"note": "fixed"}),
        "confirm": lambda: client.post(f"/tickets/{tid}/confirm"),
        "reopen": lambda: client.post(f"/tickets/{tid}/reopen", {"reason": "again"}),
    }[endpoint]()


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("key", ["L", "N"])
@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_access(api, world, who, key, endpoint):
    res = call(api, world, who, key, endpoint)
    if endpoint == "accept" and who == TARGET[key]:
        expected = 200  # a proposed hand-off also lets its target see the ticket
    elif key not in VISIBLE[who]:
        expected = 404
    else:
        expected = EXPECTED[endpoint][category(who, key)]
    assert res.status_code == expected, (who, key, endpoint, res.content)
    body = res.json()
    if expected >= 400:
        assert set(body["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_list_shows_exactly_the_visible_tickets(api, world, who):
    items = api(world.people[who]).get("/tickets?status=").json()["items"]
    shown = {key for key, t in world.tickets.items() if t.pk in {i["id"] for i in items}}
    assert shown == VISIBLE[who]


def test_target_of_a_handoff_may_accept(api, world):
    h = services.propose_handoff(
        actor=world.people["b"], ticket=world.tickets["L"], to_person=world.people["c"], reason="r"
    )
    assert api(world.people["c"]).post(f"/handoffs/{h.pk}/accept").status_code == 200
