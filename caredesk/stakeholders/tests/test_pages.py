"""The stakeholder map page: managers edit it, customers read their own."""

from caredesk.stakeholders.models import Stakeholder


def _login(client, person):
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def test_manager_adds_edits_and_removes_on_the_page(cast, client):
    _login(client, cast.a)
    base = f"/customers/{cast.orgs.province.pk}/stakeholders/"
    res = client.post(
        base + "add/",
        {
            "person": cast.x.pk,
            "channel": "email",
            "include_branches": "on",
            "subscriptions": ["opened", "resolved"],
            "sites": "OTN-07\nOTN-08",
        },
    )
    assert res.status_code == 302
    entry = Stakeholder.objects.get()
    assert entry.include_branches and entry.sites == ["OTN-07", "OTN-08"]
    page = client.get(base).content.decode()
    assert cast.x.name in page and "OTN-07" in page
    res = client.post(
        f"/stakeholders/{entry.pk}/edit/",
        {"channel": "sms", "subscriptions": ["resolved"], "products": [cast.products.core.pk]},
    )
    assert res.status_code == 302
    entry.refresh_from_db()
    assert entry.channel == "sms" and entry.subscriptions == ["resolved"]
    assert not entry.include_branches and entry.sites == []
    assert client.post(f"/stakeholders/{entry.pk}/remove/").status_code == 302
    assert not Stakeholder.objects.exists()


def test_refused_entry_stays_on_the_page_with_its_error(cast, client):
    _login(client, cast.a)
    res = client.post(
        f"/customers/{cast.orgs.lakeside.pk}/stakeholders/add/",
        {"person": cast.y.pk, "channel": "pigeon"},
    )
    assert res.status_code == 422
    assert "is-invalid" in res.content.decode() or "invalid-feedback" in res.content.decode()
    assert not Stakeholder.objects.exists()


def test_customer_reads_own_map_without_edit_forms_and_not_others(cast, client):
    _login(client, cast.x)
    page = client.get(f"/customers/{cast.orgs.lakeside.pk}/stakeholders/")
    assert page.status_code == 200
    assert 'data-testid="add-stakeholder"' not in page.content.decode()
    assert client.get(f"/customers/{cast.orgs.other.pk}/stakeholders/").status_code == 404
    res = client.post(
        f"/customers/{cast.orgs.lakeside.pk}/stakeholders/add/",
        {"person": cast.x.pk, "channel": "email"},
    )
    assert res.status_code == 403
    assert not Stakeholder.objects.exists()


def test_staff_see_the_customer_list(cast, client):
    _login(client, cast.b)
    page = client.get("/customers/").content.decode()
    assert cast.orgs.lakeside.name in page and cast.orgs.other.name in page
