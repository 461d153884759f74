"""Queueing: inside the event's transaction only, once per key, addressed at queueing time."""

import pytest
from django.db import transaction

from caredesk.notify import outbox, rendering
from caredesk.notify.models import Message


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_enqueue_refuses_to_run_outside_a_transaction(cast):
    with pytest.raises(RuntimeError):
        outbox.enqueue(channel="email", template="ticket_resolved", key="k", recipient=cast.y)


def test_same_key_twice_queues_once(cast, queue):
    first = queue(cast.y, key="same")
    second = queue(cast.y, key="same")
    assert first[0] is not None and second == [None]
    assert Message.objects.count() == 1


def test_rolled_back_event_leaves_no_message(cast):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        outbox.enqueue(channel="email", template="ticket_resolved", key="k", recipient=cast.y)
        1 / 0  # noqa: B018 - the event's transaction fails after queueing
    assert not Message.objects.exists()


def test_nearest_robot_up_the_hierarchy_is_chosen(cast, robot, queue):
    province = robot("wecom", organisation=cast.orgs.province)
    everyone = robot("wecom")
    branch = robot("wecom", organisation=cast.orgs.lakeside)
    assert queue(cast.y, "wecom", key="a")[0].endpoint == branch
    assert queue(cast.z, "wecom", key="b")[0].endpoint == province  # Hillside has none
    assert queue(cast.o, "wecom", key="c")[0].endpoint == everyone  # another operator


def test_reply_threads_are_found_by_message_id(cast, queue):
    (message,) = queue(cast.y)
    assert outbox.topic_of_reply(["<unrelated@example.com>", message.message_id]) == "ticket:42"
    assert outbox.topic_of_reply([outbox.thread_id("ticket:42")]) == "ticket:42"
    assert outbox.topic_of_reply(["<unrelated@example.com>"]) is None


def test_missing_language_falls_back_to_chinese():
    subject, body = rendering.render("ticket_resolved", "fr", {"number": "CD-1", "title": "t"})
    assert subject == "[#CD-1] 已解决：t"
