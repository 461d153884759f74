"""A channel not set up for the recipient falls back to email — and says so, on the message
row (for the timeline and the failed-deliveries page) and in the text the reader gets."""

from caredesk.notify import addressing
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message


def test_wecom_without_a_robot_goes_by_email_and_the_mail_says_why(cast, smtp, queue):
    (message,) = queue(cast.y, "wecom")
    assert (message.channel, message.requested_channel) == ("email", "wecom")
    assert message.fallback_reason == addressing.Missing.ROBOT
    deliver_due(worker="w1", batch=10)
    (rcpt, mail), *_ = smtp.inbox.messages
    assert rcpt == [cast.y.email]
    assert "企业微信群未配置 → 邮件" in mail.get_content()
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_sms_without_a_gateway_says_so_in_english_for_an_english_reader(cast, smtp, queue):
    (message,) = queue(cast.o, "sms")
    assert message.fallback_reason == addressing.Missing.GATEWAY
    deliver_due(worker="w1", batch=10)
    (_, mail), *_ = smtp.inbox.messages
    assert "SMS not configured → Email" in mail.get_content()


def test_a_configured_robot_takes_the_message_with_no_note(cast, receiver, robot, queue):
    robot("wecom", organisation=cast.orgs.lakeside)
    (message,) = queue(cast.y, "wecom")
    assert (message.channel, message.requested_channel) == ("wecom", "")
    deliver_due(worker="w1", batch=10)
    sent = Message.objects.get(pk=message.pk)
    assert sent.state == "sent" and "→" not in sent.body


def test_sms_to_a_person_without_a_phone_names_the_missing_number(cast, receiver, robot):
    robot("webhook")
    cast.y.phone = ""
    where = addressing.resolve(cast.y, "sms")
    assert (where.channel, where.requested, where.missing) == ("email", "sms", "phone")


def test_the_message_page_shows_the_fallback(cast, client, queue):
    (message,) = queue(cast.y, "dingtalk")
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    page = client.get(f"/notify/messages/{message.pk}/").content.decode()
    assert "DingTalk group not configured → Email" in page
