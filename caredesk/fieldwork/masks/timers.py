"""The due actions of masking rules: the warning before a rule ends, and its end. Each re-checks
the rule (still active, still ending when the timer was set for) and fires or skips; a rule
removed or given another end meanwhile skips."""

import datetime as dt

from caredesk import clock
from caredesk.timers import services as timers
from caredesk.timers.models import DueAction

from ..models import MaskingRule
from . import notices, services


def _rule_id(action: DueAction) -> int:
    return int(action.subject.partition(":")[2])  # "mask:123"


def _rules(actions: list[DueAction]) -> dict[int, MaskingRule]:
    ids = [_rule_id(a) for a in actions]
    return MaskingRule.objects.select_related("change__customer_org", "owner").in_bulk(ids)


def _still_due(action: DueAction, rule: MaskingRule | None) -> bool:
    return (
        rule is not None
        and rule.is_active
        and rule.ends_at == dt.datetime.fromisoformat(action.payload["ends_at"])
    )


@timers.batch_handler(services.EXPIRING)
def warn_expiring(actions: list[DueAction]) -> list[str]:
    """Tell the owner and the stakeholders that rules end soon (settings.MASK_WARN_MINUTES)."""
    rules = _rules(actions)
    outcomes, due = [], []
    for action in actions:
        rule = rules.get(_rule_id(action))
        if _still_due(action, rule):
            due.append(rule)
            outcomes.append("fired")
        else:
            outcomes.append("skipped")
    if due:
        notices.rules_ended(rules=due, template="mask_expiring")
    return outcomes


@timers.batch_handler(services.EXPIRE)
def expire_due(actions: list[DueAction]) -> list[str]:
    """The end of rules: expired, told (services.expire_rules)."""
    rules = _rules(actions)
    now = clock.now()
    due = [rules[_rule_id(a)] for a in actions if _still_due(a, rules.get(_rule_id(a)))]
    ended = {r.pk for r in services.expire_rules(due, now)}
    return ["fired" if _rule_id(a) in ended else "skipped" for a in actions]
