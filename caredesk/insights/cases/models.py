"""Learning cases (学习案例): a closed complaint or ticket retold as customer voice, event
replay and lessons, anonymised. The case's own table only; the records it is made from (tickets,
complaints, visits, changes) are read, never written.

State changes only through caredesk.insights.cases.services.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LearningCase(models.Model):
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    # What it was generated from: a complaint (with its main ticket) or a ticket alone.
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whose staff read it (the source's serving office) and whose story it is (for the
    # report's customer filter; never shown: the case names no organisation).
    office = models.ForeignKey("directory.Organisation", on_delete=models.PROTECT, related_name="+")
    customer_org = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Tags: the complaint taxonomy (category, root cause) and the product.
    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    root_cause = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "directory.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    customer_voice = models.TextField(_("customer voice"))
    # The event replay: [{"at": iso, "actor": {"role", "letter"}, "kind", "args", "text"}],
    # told in the reader's language at display time (replay.describe).
    replay = models.JSONField(_("event replay"), default=list)
    analysis = models.TextField(_("analysis"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    actions = models.JSONField(_("corrective actions"), default=list, blank=True)
    # Who became which role letter: {"<person id>": {"role", "letter"}}; kept so edits are
    # anonymised with the same letters. Never shown.
    cast = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    # When the story happened (the complaint's receipt, or the ticket's opening): the period
    # a report selects cases by.
    occurred_at = models.DateTimeField(_("occurred at"))
    # The case's words cut with jieba (tickets.search.segment), for the library's search.
    words = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("learning case")
        verbose_name_plural = _("learning cases")
        indexes = [
            models.Index(fields=["office", "status", "-id"], name="case_office_status"),
            models.Index(fields=["status", "occurred_at"], name="case_status_occurred"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(complaint__isnull=False) | Q(ticket__isnull=False),
                name="case_has_source",
            ),
            # One case per story: per complaint, and per ticket told without a complaint.
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(complaint__isnull=False),
                name="case_per_complaint",
            ),
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(complaint__isnull=True), name="case_per_ticket"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="case_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == CaseStatus.PUBLISHED
