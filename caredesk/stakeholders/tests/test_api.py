"""/api/v1 stakeholder maps: read per customer, write by account people, errors as JSON."""


def test_manager_adds_changes_and_removes_an_entry(cast, api):
    url = f"/customers/{cast.orgs.province.pk}/stakeholders"
    res = api(cast.a).post(
        url,
        {
            "person": cast.x.pk,
            "include_branches": True,
            "products": [cast.products.core.pk],
            "subscriptions": ["resolved", "owner_changed"],
        },
    )
    assert res.status_code == 201, res.content
    entry = res.json()
    assert entry["include_branches"] is True and entry["products"] == [cast.products.core.pk]
    res = api(cast.a).patch(f"/stakeholders/{entry['id']}", {"channel": "dingtalk"})
    assert res.status_code == 200 and res.json()["channel"] == "dingtalk"
    assert res.json()["subscriptions"] == ["resolved", "owner_changed"]  # untouched
    listed = api(cast.x).get(url).json()
    assert [e["person"] for e in listed] == [cast.x.pk]
    gone = api(cast.a).client.delete(f"/api/v1/stakeholders/{entry['id']}")
    assert gone.status_code == 204
    assert api(cast.a).get(url).json() == []


def test_other_operator_and_non_customers_are_not_found(cast, api):
    assert api(cast.o).get(f"/customers/{cast.orgs.lakeside.pk}/stakeholders").status_code == 404
    assert api(cast.a).get(f"/customers/{cast.orgs.office.pk}/stakeholders").status_code == 404
    res = api(cast.y).get(f"/customers/{cast.orgs.province.pk}/stakeholders")
    assert res.status_code == 404  # a branch contact does not read the province's map


def test_errors_are_json_with_fields(cast, api):
    url = f"/customers/{cast.orgs.lakeside.pk}/stakeholders"
    res = api(cast.b).post(url, {"person": cast.y.pk})
    assert res.status_code == 403 and res.json()["error"]["code"] == "forbidden"
    res = api(cast.a).post(url, {"person": cast.y.pk, "subscriptions": ["gossip"]})
    assert res.status_code == 422
    assert any(f.startswith("subscriptions") for f in res.json()["error"]["fields"])
    res = api(cast.a).post(url, {"person": 999999})
    assert res.status_code == 422 and "person" in res.json()["error"]["fields"]
    res = api(cast.a).post(url, {"person": cast.y.pk, "products": [999999]})
    assert res.status_code == 422 and "products" in res.json()["error"]["fields"]
    assert api(cast.a).post(url, {"person": cast.y.pk}).status_code == 201
    res = api(cast.a).post(url, {"person": cast.y.pk})
    assert res.status_code == 409 and res.json()["error"]["code"] == "conflict"
    assert api(cast.a).patch("/stakeholders/999999", {"note": "x"}).status_code == 404


def test_a_null_patch_body_is_refused_and_an_empty_one_changes_nothing(cast, api):
    url = f"/customers/{cast.orgs.province.pk}/stakeholders"
    entry = api(cast.a).post(url, {"person": cast.x.pk, "note": "night shift"}).json()
    res = api(cast.a).client.patch(
        f"/api/v1/stakeholders/{entry['id']}", data="null", content_type="application/json"
    )
    assert res.status_code == 422 and "body" in res.json()["error"]["fields"]
    res = api(cast.a).patch(f"/stakeholders/{entry['id']}", {})
    assert res.status_code == 200 and res.json()["note"] == "night shift"
