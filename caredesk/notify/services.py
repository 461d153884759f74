"""Changing outbox rows by hand: an administrator sends dead letters again."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import Conflict, PermissionDenied

from . import policy
from .models import Message, MessageState


class NotDead(Conflict):
    code = "message_not_dead"
    default_message = _("Only a failed message can be sent again.")


@transaction.atomic
def retry_message(*, actor: Person, message: Message) -> Message:
    """Put a dead message back in the queue with a fresh count of tries, to go out now.

    Its idempotency key stays, so a receiver that did get an earlier try drops the repeat."""
    if not policy.can_manage_outbox(actor):
        raise PermissionDenied()
    fresh = Message.objects.select_for_update().get(pk=message.pk)
    if fresh.state != MessageState.DEAD:
        raise NotDead()
    before = {"state": fresh.state, "attempt": fresh.attempt, "last_error": fresh.last_error}
    fresh.state = MessageState.PENDING
    fresh.attempt = 0
    fresh.next_attempt_at = clock.now()
    fresh.claimed_until = None
    fresh.save(update_fields=["state", "attempt", "next_attempt_at", "claimed_until"])
    audit.record(
        actor=actor,
        action="message.retry",
        obj=fresh,
        before=before,
        after={"state": fresh.state, "attempt": 0},
    )
    return fresh


def retry_messages(*, actor: Person, ids: list[int]) -> int:
    """Retry several dead messages; each in its own transaction. Returns how many."""
    done = 0
    for message in Message.objects.filter(pk__in=ids, state=MessageState.DEAD).order_by("pk"):
        retry_message(actor=actor, message=message)
        done += 1
    return done
