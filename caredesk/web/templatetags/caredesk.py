import datetime as dt

from django import template
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from caredesk.notify import rendering

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
def input_type(bound_field) -> str:
    """The HTML input type of a field's widget (datetime-local, number, email …), text when it
    names none: a field drawn by hand keeps the browser's own picker and keyboard."""
    return getattr(bound_field.field.widget, "input_type", None) or "text"


@register.filter
def widget_value(bound_field) -> str:
    """The field's value as its widget writes it (a datetime-local wants 2026-12-10T10:00, in
    the viewer's zone), not Python's str() of the value."""
    value = bound_field.field.widget.format_value(bound_field.value())
    return "" if value is None else str(value)


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
def duration(seconds: int, unit: str = "") -> str:
    """A compact span of time for clocks: 2d 3h, 3h 05m, 12m (negative: overdue). With
    unit "hours" — working time — no days: 40 working hours are not 1d 16h."""
    if seconds is None:
        return ""
    total = abs(int(seconds)) // 60
    days, rest = (0, total) if unit == "hours" else divmod(total, 24 * 60)
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
    "next_step_owner": _lazy("Who does the next step (site visit)"),
}


@register.filter
def ladder_role(value: str) -> str:
    """A rung of the escalation ladder (or a chain step's target) in the reader's language."""
    return str(LADDER_ROLES.get(value, value))


@register.filter
def moment(value: str):
    """An ISO time kept in an entry's data, as an aware datetime for the `date` filter."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@register.filter
def delivery_labels(deliveries) -> str:
    """How an escalation reached its target, per channel: "Email", or — when the step asked
    for a channel not set up for them — "WeCom group not configured → Email"."""
    language = translation.get_language() or "zh-hans"
    sep = "、" if language == "zh-hans" else ", "
    return sep.join(
        rendering.via(d["channel"], d.get("requested", ""), d.get("missing", ""), language)
        for d in deliveries or []
    )


@register.filter
def channel_label(code: str) -> str:
    """A contact channel's name in the reader's language (WeCom group, SMS, …)."""
    return rendering.channel_label(code)


@register.filter
def message_via(message) -> str:
    """How a message went, after a fall-back: "SMS not configured → Email"."""
    return rendering.via(
        message.channel,
        message.requested_channel,
        message.fallback_reason,
        translation.get_language() or "zh-hans",
    )
