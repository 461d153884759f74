"""The typical-problem taxonomy complaints and their root causes are filed under, and the
deadlines each severity gives (business hours on a working calendar). Admins extend both."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caredesk.directory.models import BilingualName


class Category(BilingualName):
    """A typical problem (buck-passing, unreachable, …); a row with a parent is one of its
    sub-categories. Root causes are recorded from the same tree."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=models.F("id")),
                name="complaint_category_not_own_parent",
            )
        ]


class DeadlineKind(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    CALLBACK = "callback", _("First call-back")
    RESOLVE = "resolve", _("Resolve")


class DeadlinePolicy(models.Model):
    """The deadlines of a complaint of one severity, in business minutes on `calendar` (empty:
    the first working-hours calendar there is). A severity without a row takes the defaults
    in services/deadlines.py."""

    severity = models.CharField(_("severity"), max_length=8, unique=True)
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledge_minutes = models.PositiveIntegerField(_("acknowledge within (business minutes)"))
    callback_minutes = models.PositiveIntegerField(_("call back within (business minutes)"))
    resolve_minutes = models.PositiveIntegerField(_("resolve within (business minutes)"))

    class Meta:
        verbose_name = _("complaint deadline policy")
        verbose_name_plural = _("complaint deadline policies")

    def __str__(self) -> str:
        return self.severity
