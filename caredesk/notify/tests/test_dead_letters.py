"""The dead-letter page: administrators list, inspect and resend failed messages."""

import pytest

from caredesk.audit.models import AuditRecord
from caredesk.errors import PermissionDenied
from caredesk.notify import services
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message


@pytest.fixture
def dead(cast, receiver, robot, queue):
    robot("dingtalk", organisation=cast.orgs.lakeside, secret="wrong")
    made = queue(cast.y, "dingtalk", n=2)
    deliver_due(worker="w1", batch=10)
    assert set(Message.objects.values_list("state", flat=True)) == {"dead"}
    return made


def test_admin_lists_and_inspects_dead_letters(cast, client, dead):
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    page = client.get("/notify/dead/").content.decode()
    assert page.count('data-testid="dead-row"') == 2
    assert "310000" in page and "CD-2026-000042" in page
    detail = client.get(f"/notify/messages/{dead[0].pk}/").content.decode()
    assert "sign not match" in detail  # the receiver's answer, from the attempt history
    assert "[#CD-2026-000042]" in detail  # what was sent


def test_admin_resends_one_and_the_rest_stay(cast, client, dead, receiver, robot):
    client.force_login(cast.admin)
    res = client.post(f"/notify/messages/{dead[0].pk}/retry/")
    assert res.status_code == 302
    again = Message.objects.get(pk=dead[0].pk)
    assert again.state == "pending" and again.attempt == 0
    assert Message.objects.get(pk=dead[1].pk).state == "dead"
    record = AuditRecord.objects.get(action="message.retry")
    assert record.actor_id == cast.admin.pk and record.before["state"] == "dead"


def test_resend_selected_after_fixing_the_secret(cast, client, dead, receiver):
    dead[0].endpoint.secret = receiver.secret
    dead[0].endpoint.save()
    client.force_login(cast.admin)
    client.post("/notify/dead/retry/", {"ids": [m.pk for m in dead]})
    assert deliver_due(worker="w1", batch=10) == 2
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}


def test_others_cannot_see_or_resend(cast, client, dead):
    client.force_login(cast.a)  # a service manager, not an administrator
    assert client.get("/notify/dead/").status_code == 404
    assert client.post(f"/notify/messages/{dead[0].pk}/retry/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.retry_message(actor=cast.a, message=dead[0])
    assert Message.objects.get(pk=dead[0].pk).state == "dead"


def test_only_dead_messages_are_resent(cast, client, queue):
    (pending,) = queue(cast.y)
    client.force_login(cast.admin)
    client.cookies["django_language"] = "en"
    page = client.post(f"/notify/messages/{pending.pk}/retry/", follow=True).content.decode()
    assert "Only a failed message can be sent again." in page
