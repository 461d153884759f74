"""The demo's complaints (issue 12), modelled in our own words on the training deck's cases:
a buck-passing complaint withdrawn after the call-back, an unreachable engineer's with an
extension, a contradicting-answers one overdue and escalated, and a wrong-stakeholder one the
complainant rejected, still open — plus the escalation chain complaints' missed deadlines
start. Made through the services with the clock moved back, like the rest of the demo."""

from caredesk.escalation.models import EscalationPolicy, EscalationStep, Trigger

CHAIN_NAME = "投诉超期督办"
# (target, wait minutes, channels): the handler at once, then the ladder above.
CHAIN = [
    ("complaint_handler", 0, "email,wecom"),
    ("service_manager", 0, "email,sms"),
    ("spm", 240, "email,sms"),
    ("account_head", 24 * 60, "email,sms"),
]


def escalation_chain() -> EscalationPolicy:
    """The chain a complaint's missed deadline starts on its main ticket (idempotent)."""
    found = EscalationPolicy.objects.filter(trigger=Trigger.COMPLAINT, name=CHAIN_NAME).first()
    if found:
        return found
    chain = EscalationPolicy.objects.create(name=CHAIN_NAME, trigger=Trigger.COMPLAINT)
    for order, (target, wait, channels) in enumerate(CHAIN, 1):
        EscalationStep.objects.create(
            policy=chain,
            order=order,
            target=target,
            wait_minutes=wait,
            channels=channels,
            condition="complaint_overdue",
            percent=100,
        )
    return chain
