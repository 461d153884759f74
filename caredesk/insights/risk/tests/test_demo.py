"""The demo's seed-like cases 1, 2 and 4 (passed on and declined, the engineer unreachable,
the branch not told) are scored as their histories happen, on the clock of each event: each
alerts its service manager before the customer's complaint, and the at-risk page lists them
with their reasons."""

from django.test import Client

from caredesk.complaints.models import Complaint
from caredesk.demo.world import load_demo
from caredesk.directory.models import Person
from caredesk.insights.risk.models import RiskAlert
from caredesk.tickets.models import Ticket

CASES = {
    1: "基站软件需要现场升级",
    2: "网管服务器宕机，无法登录",
    4: "传输设备持续高温告警",
}


def test_cases_1_2_and_4_alert_before_their_complaint_and_are_listed(db):
    assert load_demo()
    manager = Person.objects.get(username="manager.a")
    page = Client()
    page.force_login(manager)
    html = page.get("/risk/").content.decode()
    for case, title in CASES.items():
        ticket = Ticket.objects.get(title=title)
        complaint = Complaint.objects.get(links__ticket=ticket)
        alert = RiskAlert.objects.get(ticket=ticket)
        assert alert.raised_at < complaint.received_at, case
        assert alert.manager == manager
        assert alert.complaint_id == complaint.pk and alert.lead_minutes > 0, case
        assert alert.reasons and all(r["points"] > 0 for r in alert.reasons), case
        assert ticket.number in html, case
    # The threat in case 1's call note is among its reasons, with its words.
    one = RiskAlert.objects.get(ticket__title=CASES[1])
    threat = next(r for r in one.reasons if r["signal"] == "text_threat")
    assert "投诉" in threat["words"] or "400" in "".join(threat["words"])
