"""Products, regions and teams carry an English name for the English interface; Chinese stays
the default (and the fallback when no English name is given)."""

from caredesk.directory.models import Product


def _page(client, person, path, lang):
    client.force_login(person)
    client.cookies["django_language"] = lang
    person.language = lang
    person.save(update_fields=["language"])
    res = client.get(path)
    assert res.status_code == 200
    return res.content.decode()


def test_english_reader_sees_english_reference_names(cast, client, open_request):
    ticket = open_request()
    page = _page(client, cast.y, f"/t/{ticket.number}/", "en")
    assert "Core network" in page and "Lakeside" in page
    form = _page(client, cast.y, "/portal/new/", "en")
    assert "Radio access" in form and "Hillside" in form and "核心网" not in form


def test_chinese_stays_the_default_and_the_fallback(cast, client, open_request):
    ticket = open_request()
    page = _page(client, cast.b, f"/t/{ticket.number}/", "zh-hans")
    assert "核心网" in page and "Core network" not in page
    Product.objects.filter(pk=cast.products.core.pk).update(name_en="")
    from caredesk.directory import refdata

    refdata.bump()
    page = _page(client, cast.y, f"/t/{ticket.number}/", "en")
    assert "核心网" in page  # no English name: the Chinese one


def test_oncall_page_names_teams_in_english(cast, client):
    from caredesk.escalation import demo

    demo.setup(cast.world)
    page = _page(client, cast.b, "/oncall/", "en")
    assert "Core network team" in page


def test_api_carries_both_names(cast, api):
    products = {p["code"]: p for p in api(cast.y).get("/products").json()}
    assert products["core"]["name"] == "核心网" and products["core"]["name_en"] == "Core network"
    res = api(cast.admin).post(
        "/regions",
        {"code": "east", "name": "东湾", "name_en": "East Bay", "office": cast.orgs.office.pk},
    )
    assert res.status_code == 201 and res.json()["name_en"] == "East Bay"
