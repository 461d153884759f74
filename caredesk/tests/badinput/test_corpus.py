"""The bad input corpus (corpus.py) run on every operation of the live OpenAPI document and on
the ticket forms: each bad value answers a 4xx with the error shape under /api/ (a form error on
a page), never a 500, and a refused write leaves every table as it was. Ordinary text — mixed
zh/en with emoji, RTL, combining marks on letters — is accepted and read back unchanged, and
markup renders escaped."""

import json
import re

import pytest
from django.apps import apps
from django.test import Client

from caredesk.api import api as ninja_api
from caredesk.tests.badinput import corpus
from caredesk.tests.errorshape import error_of
from caredesk.tickets.models import Ticket, TimelineEntry

SCHEMA = ninja_api.get_openapi_schema()
OPERATIONS = [
    (method, path, op)
    for path, ops in SCHEMA["paths"].items()
    for method, op in ops.items()
    if method in ("get", "post", "put", "patch", "delete")
]
WITH_PATH_IDS = [
    (m, p) for m, p, op in OPERATIONS if any(x["in"] == "path" for x in op.get("parameters", []))
]
WITH_BODY = [(m, p) for m, p, op in OPERATIONS if "requestBody" in op]


def _body_schema(method: str, path: str) -> dict:
    op = SCHEMA["paths"][path][method]
    content = op["requestBody"]["content"]
    # A JSON body's schema; an upload's (multipart) is sent the same JSON, which it must refuse.
    schema = (content.get("application/json") or next(iter(content.values())))["schema"]
    if "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m.__module__.startswith("caredesk.")
        and m._meta.label not in ("directory.ApiToken", "audit.AuditRecord")
    }


@pytest.fixture
def world(cast, api, open_request, settings):
    settings.API_RATE_PER_MINUTE = 1_000_000_000
    ticket = open_request()
    return {"cast": cast, "ticket": ticket, "client": api(cast.admin)}


def _fill(path: str, world, bad: str | None = None) -> str:
    """The path with each parameter named: the bad value in every slot, or else ids of rows that
    exist (the ticket for {ticket_id}, 1 otherwise)."""

    def one(match):
        if bad is not None:
            return bad
        return str(world["ticket"].pk) if match.group(1) == "ticket_id" else "1"

    return re.sub(r"\{(\w+)\}", one, path)


def _send(client, method, path, raw: str | None):
    kwargs = {} if raw is None else {"data": raw, "content_type": "application/json"}
    return getattr(client, method)(path, **kwargs)


def _refused(res, before):
    assert 400 <= res.status_code < 500, (res.status_code, res.content[:300])
    error_of(res, res.status_code)
    assert _counts() == before


@pytest.mark.parametrize(("method", "path"), WITH_PATH_IDS)
def test_bad_ids_in_paths_are_4xx(world, method, path):
    client = world["client"].client
    before = _counts()
    raw = "{}" if (method, path) in WITH_BODY else None
    for bad in corpus.BAD_PATH_IDS:
        res = _send(client, method, _fill(path, world, bad), raw)
        _refused(res, before)


@pytest.mark.parametrize(("method", "path"), WITH_BODY)
def test_malformed_json_and_wrong_types_are_4xx_and_store_nothing(world, method, path):
    client = world["client"].client
    target = _fill(path, world)
    before = _counts()
    for raw in corpus.MALFORMED_JSON:
        _refused(_send(client, method, target, raw), before)
    properties = _body_schema(method, path).get("properties", {})
    for wrong in corpus.WRONG_TYPES:
        body = {name: wrong for name in properties} or {"x": wrong}
        _refused(_send(client, method, target, json.dumps(body)), before)


# ---- text fields of the ticket's own writes, through the API


def _new_ticket(world, **text):
    cast = world["cast"]
    body = {
        "customer_org": cast.orgs.lakeside.pk,
        "product": "core",
        "region": "lakeside",
        "severity": "P2",
        "title": "Calls drop",
        "customer_voice": "Since this morning.",
    } | text
    return world["client"].post("/tickets", body)


@pytest.mark.parametrize("kind", sorted(corpus.BAD_TEXT))
@pytest.mark.parametrize("field", ["title", "customer_voice"])
def test_bad_text_in_a_new_ticket_is_422(world, kind, field):
    before = _counts()
    res = _new_ticket(world, **{field: corpus.BAD_TEXT[kind]})
    assert field in error_of(res, 422)["fields"]
    assert _counts() == before


@pytest.mark.parametrize("kind", sorted(corpus.BAD_TEXT))
def test_bad_text_in_a_comment_is_422(world, kind):
    before = _counts()
    path = f"/tickets/{world['ticket'].pk}/comments"
    res = world["client"].post(path, {"body": corpus.BAD_TEXT[kind], "public": True})
    assert "body" in error_of(res, 422)["fields"]
    assert _counts() == before


@pytest.mark.parametrize("kind", sorted(corpus.GOOD_TEXT))
def test_ordinary_text_is_accepted_and_read_back(world, kind):
    text = corpus.GOOD_TEXT[kind]
    res = _new_ticket(world, title=text, customer_voice=text)
    assert res.status_code == 201, res.content
    made = world["client"].get(f"/tickets/{res.json()['id']}").json()
    assert made["title"] == text
    assert Ticket.objects.get(pk=made["id"]).customer_voice == text


# ---- the page forms

# A form post is bytes: a lone surrogate cannot be encoded into one (invalid UTF-8 arrives as
# U+FFFD), so the page forms take the rest of the kinds.
FORM_BAD_TEXT = sorted(set(corpus.BAD_TEXT) - {"lone_surrogate"})


@pytest.fixture
def signed_in(world):
    def as_person(person):
        c = Client()
        c.force_login(person)
        return c

    return as_person


@pytest.mark.parametrize("kind", FORM_BAD_TEXT)
def test_bad_text_on_the_portal_form_is_a_form_error(world, signed_in, kind):
    cast = world["cast"]
    before = _counts()
    form = {
        "customer_org": cast.orgs.lakeside.pk,
        "product": cast.products.core.pk,
        "region": cast.regions.lakeside.pk,
        "severity": "P2",
        "title": corpus.BAD_TEXT[kind],
        "customer_voice": corpus.BAD_TEXT[kind],
    }
    res = signed_in(cast.y).post("/portal/new/", form)
    assert res.status_code in (200, 422), res.status_code
    assert _counts() == before


@pytest.mark.parametrize("kind", FORM_BAD_TEXT)
def test_bad_text_in_a_page_comment_is_a_form_error(world, signed_in, kind):
    cast, ticket = world["cast"], world["ticket"]
    before = _counts()
    res = signed_in(cast.y).post(f"/t/{ticket.number}/comment/", {"body": corpus.BAD_TEXT[kind]})
    assert res.status_code in (200, 422), res.status_code
    assert _counts() == before


@pytest.mark.parametrize("value", ["", "P9", "x" * 10_000, "\x00", str(corpus.HUGE)])
def test_bad_choices_on_the_portal_form_are_form_errors(world, signed_in, value):
    cast = world["cast"]
    before = _counts()
    form = {
        "customer_org": value,
        "product": value,
        "region": value,
        "severity": value,
        "title": "t",
        "customer_voice": "v",
    }
    res = signed_in(cast.y).post("/portal/new/", form)
    assert res.status_code in (200, 422), res.status_code
    assert _counts() == before


def test_script_in_a_comment_renders_escaped(world, signed_in):
    cast, ticket = world["cast"], world["ticket"]
    res = world["client"].post(f"/tickets/{ticket.pk}/comments", {"body": corpus.SCRIPT})
    assert res.status_code == 201, res.content
    assert TimelineEntry.objects.filter(body=corpus.SCRIPT).exists()
    for person, page in ((cast.y, f"/t/{ticket.number}/"), (cast.b, f"/t/{ticket.number}/")):
        html = signed_in(person).get(page).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


def _action_fields(action, ticket, person) -> list[str]:
    from django.test import RequestFactory

    from caredesk.tickets.views.ticket import ACTIONS

    request = RequestFactory().post("/", {})
    request.user = person
    return list(ACTIONS[action][0](request, ticket).fields)


def _actions():
    from caredesk.tickets.views.ticket import ACTIONS

    return sorted(ACTIONS)


@pytest.mark.parametrize("action", _actions())
def test_bad_text_in_every_ticket_action_form_is_a_form_error(world, signed_in, action):
    cast, ticket = world["cast"], world["ticket"]
    client = signed_in(cast.b)
    fields = _action_fields(action, ticket, cast.b)
    before = _counts()
    for kind in FORM_BAD_TEXT:
        # Text that is bad in a text field and in a choice or id field alike: every field gets it.
        form = dict.fromkeys(fields, corpus.BAD_TEXT[kind])
        res = client.post(f"/t/{ticket.number}/{action}/", form)
        assert res.status_code in (200, 302, 403, 422), (kind, res.status_code)
        assert _counts() == before, kind
