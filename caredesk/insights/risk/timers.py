"""The early warning's due action: an alert nobody acknowledged in time goes up the ladder.
It re-checks first: acknowledged or escalated meanwhile, it skips."""

from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

from . import services
from .models import RiskAlert


@timers.handler(services.ACK)
def escalate(action: DueAction) -> str:
    pk = int(action.subject.partition(":")[2])
    alert = RiskAlert.objects.filter(pk=pk).first()
    if alert is None or not services.escalate_unacknowledged(alert=alert):
        return "skipped"
    return "fired"
