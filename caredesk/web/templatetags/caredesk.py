from django import template
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

register = template.Library()

SEVERITY_CLASS = {"P1": "danger", "P2": "warning", "P3": "info", "P4": "secondary"}
STATUS_CLASS = {
    "new": "primary",
    "acknowledged": "info",
    "in_progress": "info",
    "waiting_customer": "warning",
    "resolved": "success",
    "closed": "secondary",
    "reopened": "danger",
}
LEVEL_CLASS = {"green": "success", "amber": "warning", "red": "danger"}


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(value, "secondary")


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(value, "secondary")


@register.filter
def level_class(value: str) -> str:
    return LEVEL_CLASS.get(value, "secondary")


CHANNELS = {
    "email": _lazy("Email"),
    "sms": _lazy("SMS"),
    "wecom": _lazy("WeCom"),
    "dingtalk": _lazy("DingTalk"),
    "feishu": _lazy("Feishu"),
    "webhook": _lazy("Webhook"),
}
CLOCKS = {
    "acknowledge": _lazy("Acknowledge"),
    "respond": _lazy("Respond"),
    "restore": _lazy("Restore"),
    "resolve": _lazy("Resolve"),
}


@register.filter
def channel_labels(codes) -> str:
    """Channel codes as words of the reader's language, joined the way the language joins."""
    sep = "、" if translation.get_language() == "zh-hans" else ", "
    return sep.join(str(CHANNELS.get(c, c)) for c in codes or [])


@register.filter
def clock_label(code: str) -> str:
    return str(CLOCKS.get(code, code))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def duration(seconds: int) -> str:
    """A compact span of time for clocks: 2d 3h, 3h 05m, 12m (negative: overdue)."""
    if seconds is None:
        return ""
    total = abs(int(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)dm") % {"m": minutes}
    return text


LADDER_ROLES = {
    "owner": _lazy("Owner"),
    "backup": _lazy("Backup"),
    "service_manager": _lazy("Service manager"),
    "product_leader": _lazy("Product maintenance leader"),
    "spm": _lazy("SPM"),
    "account_head": _lazy("Account head"),
    "oncall": _lazy("On call"),
    "handoff_target": _lazy("Proposed new owner"),
}


@register.filter
def ladder_role(value: str) -> str:
    """A rung of the escalation ladder (or a chain step's target) in the reader's language."""
    return str(LADDER_ROLES.get(value, value))


@register.filter
def iso_local(value: str) -> str:
    """An ISO moment kept in an entry's data, in the reader's zone."""
    import datetime as dt

    from django.utils import timezone

    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
