"""The API's answers and error shape, and the similar cases beside a complaint."""

import pytest

from caredesk.complaints import services as complaint_services
from caredesk.complaints.models import Category
from caredesk.conftest import ApiClient
from caredesk.insights.cases import selectors, services
from caredesk.insights.cases.models import LearningCase


@pytest.fixture
def closed_complaint(cast, open_request, register, at):
    complaint = register(
        ticket=open_request(product="wireless"), words="工程师互相推诿，升级的事没人管"
    )
    at(10, fire=False)
    complaint_services.withdraw(actor=cast.h, complaint=complaint, note="已解决")
    return complaint


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


def test_generate_edit_publish_through_the_api(cast, closed_complaint, calendars):
    a = ApiClient(cast.a)
    made = a.post("/cases", {"complaint": closed_complaint.pk})
    assert made.status_code == 201, made.content
    case = made.json()
    assert case["status"] == "draft" and case["can_edit"] is True
    assert {t["kind"] for t in case["tags"]} >= {"category", "product"}
    assert all(set(r) == {"at", "actor", "what"} for r in case["event_replay"])
    _error(a.post("/cases", {"complaint": closed_complaint.pk}), 409, "case_exists")
    _error(a.post("/cases", {}), 422, "validation_failed")
    _error(a.post(f"/cases/{case['id']}/publish", {}), 422, "validation_failed")
    _error(
        a.patch(f"/cases/{case['id']}", {"version": 1, "product": "nope"}), 422, "validation_failed"
    )
    edited = a.patch(
        f"/cases/{case['id']}", {"version": 1, "analysis": "无人先接", "lessons": "首问负责"}
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    _error(a.patch(f"/cases/{case['id']}", {"version": 1, "lessons": "x"}), 409, "stale_version")
    published = a.post(f"/cases/{case['id']}/publish", {"version": 2})
    assert published.json()["status"] == "published" and published.json()["can_edit"] is False
    error = _error(
        a.patch(f"/cases/{case['id']}", {"version": 3, "lessons": "x"}), 409, "case_published"
    )
    assert error["message"]
    _error(ApiClient(cast.b).patch(f"/cases/{case['id']}", {"version": 3}), 403, "forbidden")
    _error(ApiClient(cast.y).get(f"/cases/{case['id']}"), 404, "not_found")
    _error(ApiClient(cast.d).get(f"/cases/{case['id']}"), 404, "not_found")
    assert ApiClient(cast.b).get("/cases?q=推诿").json()["items"][0]["id"] == case["id"]
    assert ApiClient(cast.y).get("/cases").json()["items"] == []


def test_similar_cases_rank_category_product_and_words(
    cast, closed_complaint, register, open_request, calendars
):
    case = services.generate_case(actor=cast.a, complaint=closed_complaint)
    services.edit_case(
        actor=cast.a, case=case, version=1, changes={"analysis": "a", "lessons": "l"}
    )
    services.publish_case(actor=cast.a, case=LearningCase.objects.get(pk=case.pk))
    alike = register(ticket=open_request(product="wireless"), words="又是推诿，没人管升级")
    other = register(
        ticket=open_request(product="transport"),
        words="光纤中断",
        category=Category.objects.get(code="technical_skill"),
    )
    found = selectors.similar_to_complaint(cast.b, alike)
    assert [s["case"].pk for s in found] == [case.pk] and found[0]["score"] >= 5
    assert selectors.similar_to_complaint(cast.b, other) == [] or (
        selectors.similar_to_complaint(cast.b, other)[0]["score"] < found[0]["score"]
    )
    assert selectors.similar_to_complaint(cast.y, alike) == []  # customers: none
    assert selectors.similar_to_complaint(cast.b, closed_complaint) == []  # not itself
