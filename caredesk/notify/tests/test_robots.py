"""Group robots and the SMS/HTTP webhook, against a local receiver that checks each vendor's
signature its own way and answers with the vendor's error codes."""

import json

from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message


def _one(receiver, prefix):
    (request,) = [r for r in receiver.requests if r["path"].startswith(prefix)]
    return request


def test_dingtalk_signature_verified_and_delivered(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside)
    (message,) = queue(cast.y, "dingtalk")
    assert message.channel == "dingtalk" and message.endpoint is not None
    deliver_due(worker="w1", batch=10)
    request = _one(receiver, "/robot/send")
    assert request["answer"] == {"errcode": 0, "errmsg": "ok"}
    assert request["body"]["msgtype"] == "markdown"
    assert "[#CD-2026-000042]" in request["body"]["markdown"]["title"]
    assert request["key"] == message.idempotency_key
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_dingtalk_wrong_secret_is_refused_with_310000_and_dead(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside, secret="not-the-secret")
    (message,) = queue(cast.y, "dingtalk")
    deliver_due(worker="w1", batch=10)
    assert _one(receiver, "/robot/send")["answer"]["errcode"] == 310000
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == "dead"  # a wrong secret does not heal by retrying
    assert "310000" in dead.last_error
    assert receiver.delivered[message.idempotency_key] == 0


def test_feishu_signature_verified_and_delivered_in_recipients_language(
    cast, receiver, robot, queue
):
    robot("feishu", organisation=cast.orgs.other)
    (message,) = queue(cast.o, "feishu")
    deliver_due(worker="w1", batch=10)
    body = _one(receiver, "/open-apis/bot/v2/hook/")["body"]
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["en_us"]
    assert post["title"].startswith("[#CD-2026-000042] Resolved")
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_feishu_wrong_secret_is_refused_with_19021_and_dead(cast, receiver, robot, queue):
    robot("feishu", organisation=cast.orgs.lakeside, secret="wrong")
    (message,) = queue(cast.y, "feishu")
    deliver_due(worker="w1", batch=10)
    assert _one(receiver, "/open-apis/bot/v2/hook/")["answer"]["code"] == 19021
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == "dead" and "19021" in dead.last_error


def test_wecom_robot_of_the_province_serves_its_branch(cast, receiver, robot, queue):
    # No robot for the Lakeside branch itself: the province's group is the nearest one.
    robot("wecom", organisation=cast.orgs.province)
    (message,) = queue(cast.y, "wecom")
    assert message.endpoint.organisation_id == cast.orgs.province.pk
    deliver_due(worker="w1", batch=10)
    body = _one(receiver, "/cgi-bin/webhook/send")["body"]
    assert body["msgtype"] == "markdown"
    assert "清理防尘网后温度正常" in body["markdown"]["content"]
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_group_channel_without_a_robot_falls_back_to_email(cast, queue):
    (message,) = queue(cast.y, "dingtalk")
    assert message.channel == "email"
    assert message.address == cast.y.email


def test_sms_gateway_gets_signed_json_with_template_code(cast, receiver, robot, queue):
    robot("webhook", options={"templates": {"ticket_resolved": "SMS_778899"}})
    (message,) = queue(cast.y, "sms")
    assert message.address == cast.y.phone
    deliver_due(worker="w1", batch=10)
    request = _one(receiver, "/sms/send")
    assert request["status"] == 200  # the receiver checked the HMAC header
    payload = json.loads(request["raw"])
    assert payload["to"] == cast.y.phone
    assert payload["sms_template"] == "SMS_778899"
    assert payload["params"]["number"] == "CD-2026-000042"
    assert payload["id"] == message.idempotency_key
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_sms_gateway_refuses_a_bad_signature(cast, receiver, robot, queue):
    robot("webhook", secret="wrong")
    (message,) = queue(cast.y, "sms")
    deliver_due(worker="w1", batch=10)
    assert _one(receiver, "/sms/send")["status"] == 401
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == "dead" and "HTTP 401" in dead.last_error
