"""The signals' names as a reader sees them (the reasons of a score, on pages and in alerts)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "handoffs": _("Passed on in the last hour"),
    "declined_handoffs": _("Hand-offs declined"),
    "unanswered_calls": _("Calls not answered"),
    "repeated_contacts": _("Customer contacted us again without a reply"),
    "silence": _("Customer waiting for a word from us"),
    "clock_breaches": _("Time limits breached"),
    "escalations": _("Escalations fired"),
    "visit_unresolved": _("Site visit left unresolved"),
    "conclusion_changed": _("The technical answer changed"),
    "reopenings": _("Reopened"),
    "repeat_problem": _("Same problem within 30 days"),
    "prior_complaints": _("Earlier complaints"),
    "low_surveys": _("Earlier low survey scores"),
    "stakeholder_not_told": _("A stakeholder was not told"),
    "severity": _("Severity"),
    "services_affected": _("Services affected"),
    "province_customer": _("Province-level customer"),
    "text_threat": _("Threat to complain or escalate"),
    "text_anger": _("Anger in the customer's words"),
    "text_distrust": _("Loss of trust in the customer's words"),
    "text_urgency": _("Urgency in the customer's words"),
}


def label(signal: str) -> str:
    return str(LABELS.get(signal, signal))


def told(reasons: list[dict]) -> list[dict]:
    """The stored reasons with each signal's label, for templates and the API."""
    return [{**r, "label": label(r.get("signal", ""))} for r in reasons]
