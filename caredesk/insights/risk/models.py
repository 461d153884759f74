"""Tables of risk (its own only: the floors below are read, never written).

RiskScore holds each ticket's latest score with its reasons (one row per ticket); RiskDirty
lists the tickets an event touched since they were last scored (the worker rescores them in
batches); RiskAlert is one crossing of the threshold told to the customer's service manager:
acknowledged (who, when, what was done), escalated when nobody acknowledged in time, and the
complaint that followed with its lead time.

State changes only through caredesk.insights.risk.services; these classes hold data and
constraints.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RiskScore(models.Model):
    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("risk score"))
    # [{"signal", "points", "detail", "words"}], the largest contribution first
    reasons = models.JSONField(_("reasons"), default=list)
    above = models.BooleanField(default=False)  # at or over the threshold when computed
    computed_at = models.DateTimeField(_("computed at"))
    weights_version = models.CharField(_("weights"), max_length=16)

    class Meta:
        verbose_name = _("risk score")
        verbose_name_plural = _("risk scores")
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=100), name="risk_score_at_most_100")
        ]
        indexes = [models.Index(fields=["-score", "ticket"], name="risk_score_order")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class RiskDirty(models.Model):
    """A ticket waiting to be rescored: marked in the transaction of the event that touched
    it, removed by the worker once it scored the ticket as it stood then."""

    # No database foreign key: PostgreSQL checks one at commit with a share lock on the ticket
    # row, and a mark made from an event the transaction did not lock the ticket for (a chain
    # caught up by another worker's batch) then waited on that worker while it waited on this
    # mark — a deadlock three catch-up workers met. A deleted ticket's mark goes with it
    # (on_delete below) or is skipped by the rescoring, which reads tickets by id.
    ticket = models.OneToOneField(
        "tickets.Ticket",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    marked_at = models.DateTimeField()
    # claimed by a worker (caredesk.claiming); a new mark clears the claim
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempt = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["marked_at"], name="risk_dirty_marked")]

    def __str__(self) -> str:
        return f"{self.ticket_id} marked {self.marked_at:%Y-%m-%d %H:%M:%S}"


class RiskAlert(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("risk score"))
    reasons = models.JSONField(_("reasons"), default=list)
    raised_at = models.DateTimeField(_("raised at"))
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service manager"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action_taken = models.TextField(_("what was done"), blank=True)
    complaint_id = models.BigIntegerField(_("complaint"), null=True, blank=True)
    complained_at = models.DateTimeField(_("complaint registered at"), null=True, blank=True)
    lead_minutes = models.FloatField(_("lead time (minutes)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        constraints = [
            # A crossing is told once: no second alert while one still waits for its answer.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(acknowledged_at__isnull=True),
                name="one_waiting_risk_alert",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "-raised_at"], name="risk_alert_ticket")]

    def __str__(self) -> str:
        return f"{self.ticket_id} @ {self.raised_at:%Y-%m-%d %H:%M}: {self.score}"
