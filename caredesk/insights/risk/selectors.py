"""Reads of the early warning shared by the pages and the API: the at-risk tickets a reader
may see, highest score first, each with its latest alert; one ticket's score card; an alert
by id (not found for whoever may not read its ticket)."""

from dataclasses import dataclass

from django.db.models import Q

from caredesk.directory.models import Person
from caredesk.errors import NotFound
from caredesk.tickets.models import OPEN_Q, Ticket

from . import config, policy
from .labels import told
from .models import RiskAlert, RiskScore

LIST_LIMIT = 200


@dataclass(frozen=True)
class AtRisk:
    ticket: Ticket
    score: int
    reasons: list[dict]  # with each signal's label
    computed_at: object
    above: bool
    alert: RiskAlert | None


def _latest_alerts(ticket_ids: list[int]) -> dict[int, RiskAlert]:
    latest: dict[int, RiskAlert] = {}
    for a in (
        RiskAlert.objects.filter(ticket_id__in=ticket_ids)
        .select_related("manager", "acknowledged_by", "escalated_to")
        .order_by("ticket_id", "-raised_at", "-id")
    ):
        latest.setdefault(a.ticket_id, a)
    return latest


def at_risk(person: Person, *, min_score: int = 1, limit: int = LIST_LIMIT) -> list[AtRisk]:
    """The tickets the person may see with a score of at least `min_score`, highest first
    (then the newest ticket): the open ones, and any other whose alert still waits for its
    acknowledgement (resolved meanwhile, it was still not answered). Nothing for a customer."""
    if not policy.may_use(person):
        return []
    waiting = RiskAlert.objects.filter(acknowledged_at__isnull=True).values("ticket_id")
    visible = Ticket.objects.filter(policy.ticket_filter(person)).filter(OPEN_Q | Q(pk__in=waiting))
    scores = list(
        RiskScore.objects.filter(ticket__in=visible.values("pk"), score__gte=min_score)
        .select_related("ticket__owner", "ticket__customer_org")
        .order_by("-score", "-ticket_id")[:limit]
    )
    alerts = _latest_alerts([s.ticket_id for s in scores])
    return [_row(s, alerts.get(s.ticket_id)) for s in scores]


def _row(s: RiskScore, alert: RiskAlert | None) -> AtRisk:
    return AtRisk(
        ticket=s.ticket,
        score=s.score,
        reasons=told(s.reasons),
        computed_at=s.computed_at,
        above=s.score >= config.threshold(),
        alert=alert,
    )


def card_for(person: Person, ticket: Ticket) -> AtRisk | None:
    """The ticket page's score card: None for a customer, or before the first scoring."""
    if not policy.can_read(person, ticket):
        return None
    s = RiskScore.objects.filter(ticket=ticket).first()
    if s is None:
        return None
    s.ticket = ticket
    return _row(s, _latest_alerts([ticket.pk]).get(ticket.pk))


def alert_for(person: Person, alert_id: int) -> RiskAlert:
    alert = (
        RiskAlert.objects.filter(pk=alert_id)
        .select_related("ticket__owner", "manager", "acknowledged_by", "escalated_to")
        .first()
    )
    if alert is None or not policy.can_read(person, alert.ticket):
        raise NotFound()
    return alert
