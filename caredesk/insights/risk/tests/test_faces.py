"""The faces: the at-risk page (staff, sorted by score, reasons, acknowledge with what was
done), the score card on the staff ticket page and never on the customer's, and /api/v1/risk."""

import datetime as dt

import pytest

from caredesk.insights.risk import services
from caredesk.insights.risk.models import RiskAlert

ANGRY = "网管又断了，打了三次电话都没人接，再不处理我们就投诉到工信部！！"


def work():
    services.rescore_dirty(worker="test", batch=100, lease=dt.timedelta(minutes=1))


@pytest.fixture
def scored(cast, at, open_request):
    at(0, fire=False)
    hot = open_request(severity="P1", title="网管宕机", customer_voice=ANGRY)
    mild = open_request(severity="P3", title="咨询", customer_voice="请帮忙看一下告警，谢谢")
    work()
    return hot, mild


def signed_in(client, person):
    client.force_login(person)
    return client


def test_the_page_lists_tickets_by_score_with_reasons_and_words(cast, client, scored):
    hot, mild = scored
    page = signed_in(client, cast.b).get("/risk/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index(hot.number) < html.index(mild.number)
    assert "工信部" in html and 'data-testid="risk-reasons"' in html
    assert 'data-testid="risk-suggestion"' in html


def test_a_customer_never_sees_a_score(cast, client, scored):
    hot, _ = scored
    c = signed_in(client, cast.y)
    assert c.get("/risk/").status_code == 404
    page = c.get(f"/t/{hot.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="risk-card"' not in html and "risk-score" not in html
    staff = signed_in(client, cast.b).get(f"/t/{hot.number}/").content.decode()
    assert 'data-testid="risk-card"' in staff and "工信部" in staff


def test_acknowledging_on_the_page_records_what_was_done(cast, client, scored):
    alert = RiskAlert.objects.get()
    c = signed_in(client, cast.a)
    refused = c.post(f"/risk/alerts/{alert.pk}/acknowledge/", {"action_taken": " "})
    assert refused.status_code == 422
    done = c.post(
        f"/risk/alerts/{alert.pk}/acknowledge/",
        {"action_taken": "已致电客户", "version": alert.version},
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == cast.a and alert.action_taken == "已致电客户"
    assert "已致电客户" in c.get("/risk/").content.decode()


def test_the_api_lists_scores_and_acknowledges(cast, api, scored):
    hot, mild = scored
    rows = api(cast.b).get("/risk").json()
    assert [r["ticket"]["number"] for r in rows][:2] == [hot.number, mild.number]
    top = rows[0]
    assert top["above_threshold"] and top["alert"]["manager"]["id"] == cast.a.pk
    threat = next(r for r in top["reasons"] if r["signal"] == "text_threat")
    assert "工信部" in threat["words"] and threat["label"]
    assert api(cast.y).get("/risk").status_code == 404
    alert_id = top["alert"]["id"]
    bad = api(cast.a).post(f"/risk/alerts/{alert_id}/acknowledge", {"action_taken": "   "})
    assert bad.status_code == 422 and "action_taken" in bad.json()["error"]["fields"]
    ok = api(cast.a).post(f"/risk/alerts/{alert_id}/acknowledge", {"action_taken": "已回电"})
    assert ok.status_code == 200 and ok.json()["acknowledged_by"]["id"] == cast.a.pk
    again = api(cast.a).post(f"/risk/alerts/{alert_id}/acknowledge", {"action_taken": "再次"})
    assert again.status_code == 409
