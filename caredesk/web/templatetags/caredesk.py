from django import template

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


@register.filter
def severity_class(value: str) -> str:
    return SEVERITY_CLASS.get(value, "secondary")


@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(value, "secondary")
