"""Escalation messages tell the truth about how they went: the channel each one really took,
a visible fall-back when the step names a channel the target has no endpoint for, and their
own subject (level, target, why)."""

from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.tickets.models import EntryKind


def _p1(open_request, at):
    at(0, fire=False)
    return open_request(severity="P1")  # core × lakeside: engineer.b owns it


def test_step_naming_an_unconfigured_channel_falls_back_and_says_so(
    chains, open_request, at, smtp, client
):
    cast = chains
    ticket = _p1(open_request, at)
    at(0)  # level 1: the owner, by SMS and WeCom — the demo has neither gateway nor robot
    entry = ticket.timeline.get(kind=EntryKind.ESCALATED, data__step=1)
    assert entry.data["deliveries"] == [
        {"channel": "email", "requested": "sms,wecom", "missing": "gateway,robot"}
    ]
    (message,) = Message.objects.filter(template="escalation")
    assert (message.recipient, message.channel) == (cast.b, "email")
    assert message.requested_channel == "sms,wecom"
    deliver_due(worker="w1", batch=10)
    (mail,) = [
        m for rcpt, m in smtp.inbox.messages if rcpt == [cast.b.email] and "升级" in m["Subject"]
    ]
    assert "第1级升级" in mail["Subject"] and "未确认受理" in mail["Subject"]
    assert "短信、企业微信群未配置 → 邮件" in mail.get_content()
    client.force_login(cast.b)
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "短信、企业微信群未配置 → 邮件" in page
    assert "短信、企业微信" not in page.replace("短信、企业微信群未配置", "")
    client.cookies["django_language"] = "en"
    page = client.get(f"/t/{ticket.number}/").content.decode()
    assert "SMS, WeCom group not configured → Email" in page
    assert f"Escalation level 1 · Owner {cast.b.name} · Not acknowledged" in page  # card label


def test_a_configured_robot_carries_the_step_and_the_timeline_names_it(
    chains, open_request, at, receiver, robot
):
    cast = chains
    robot("wecom", organisation=cast.orgs.office)
    ticket = _p1(open_request, at)
    at(0)
    entry = ticket.timeline.get(kind=EntryKind.ESCALATED, data__step=1)
    assert {d["channel"]: d["requested"] for d in entry.data["deliveries"]} == {
        "email": "sms",
        "wecom": "",
    }
    deliver_due(worker="w1", batch=10)
    wecom = Message.objects.get(template="escalation", channel="wecom")
    assert wecom.state == "sent" and wecom.requested_channel == ""
    assert [r for r in receiver.requests if r["path"].startswith("/cgi-bin/webhook/send")]


def test_failed_deliveries_page_lists_the_missing_endpoints(chains, open_request, at, client):
    cast = chains
    _p1(open_request, at)
    at(10)
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    page = client.get("/notify/dead/").content.decode()
    missing = page[page.index('data-testid="missing-endpoints"') :]
    assert "No SMS gateway" in missing and "No group robot for this organisation" in missing
    assert "江南代表处" in missing  # the office whose people the steps tried to reach
