"""The stakeholder map: per customer organisation, who must hear about which events, and how.

An entry names a person, the channel they read, the part of the customer's network it covers
(products, regions, sites — empty means all) and the event kinds they subscribe to. An entry on
a province's map with `include_branches` also covers the requests of its city branches.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactChannel(models.TextChoices):
    """How a person is reached. Group robots post into the group of the person's organisation."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group")
    DINGTALK = "dingtalk", _("DingTalk group")
    FEISHU = "feishu", _("Feishu group")


class Subscription(models.TextChoices):
    """Event kinds a stakeholder can ask to hear about (the product's words, not code names)."""

    OPENED = "opened", _("Request opened")
    ACKNOWLEDGED = "acknowledged", _("Request acknowledged")
    REPLY = "reply", _("Reply from the owner")
    OWNER_CHANGED = "owner_changed", _("Owner changed")
    CONCLUSION_CHANGED = "conclusion_changed", _("Technical conclusion changed")
    ESCALATED = "escalated", _("Escalated")
    SITE_VISIT = "site_visit", _("Site visit")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CHANGE_PLANNED = "change_planned", _("Change planned")
    CHANGE_DONE = "change_done", _("Change done")
    MASK_ADDED = "mask_added", _("Alarm masking added")
    MASK_EXPIRING = "mask_expiring", _("Alarm masking expiring")


DEFAULT_SUBSCRIPTIONS = [
    Subscription.OPENED,
    Subscription.OWNER_CHANGED,
    Subscription.CONCLUSION_CHANGED,
    Subscription.ESCALATED,
    Subscription.SITE_VISIT,
    Subscription.RESOLVED,
    Subscription.REOPENED,
]


class Stakeholder(models.Model):
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="stakeholders",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="stakeholder_entries",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL
    )
    include_branches = models.BooleanField(
        _("also the branches"),
        default=False,
        help_text=_("Also covers the requests of the organisations below this one."),
    )
    products = models.ManyToManyField("directory.Product", verbose_name=_("products"), blank=True)
    regions = models.ManyToManyField("directory.Region", verbose_name=_("regions"), blank=True)
    sites = models.JSONField(_("sites"), default=list, blank=True)
    subscriptions = models.JSONField(_("subscriptions"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="one_entry_per_person_and_map"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation}"

    def covers(self, *, product_id: int, region_id: int, site: str) -> bool:
        """Scope check for a ticket already known to be within this entry's organisations.

        Empty products, regions or sites mean "all"; a site matches when its name is part of
        the ticket's site (e.g. "OTN-07" covers "湖滨二号机房 OTN-07")."""
        product_ids = {p.pk for p in self.products.all()}
        region_ids = {r.pk for r in self.regions.all()}
        if product_ids and product_id not in product_ids:
            return False
        if region_ids and region_id not in region_ids:
            return False
        if self.sites:
            where = (site or "").casefold()
            return any(s.casefold() in where for s in self.sites if s)
        return True
