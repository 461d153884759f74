"""Who is who: organisations, people, products, regions and the responsibility matrix."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from caredesk.directory import phones


class OrgKind(models.TextChoices):
    VENDOR_OFFICE = "vendor_office", _("Vendor office")
    PARTNER = "partner", _("Partner")
    CUSTOMER = "customer", _("Customer")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # A customer's own silence before a resolved ticket closes by itself (empty: its parent's,
    # else the installation's CAREDESK_AUTO_CLOSE_DAYS).
    auto_close_days = models.PositiveSmallIntegerField(
        _("auto-close after (days)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def lineage_ids(self) -> list[int]:
        """This organisation and all its ancestors, nearest first."""
        from . import refdata

        return list(refdata.lineage(self.pk))

    def subtree_ids(self) -> list[int]:
        """This organisation and every descendant."""
        from . import refdata

        return list(refdata.subtree(self.pk))


class Role(models.TextChoices):
    CUSTOMER_CONTACT = "customer_contact", _("Customer contact")
    ENGINEER = "engineer", _("Engineer")
    PARTNER_ENGINEER = "partner_engineer", _("Partner engineer")
    SERVICE_MANAGER = "service_manager", _("Service manager")
    PRODUCT_LEADER = "product_leader", _("Product maintenance leader")
    SPM = "spm", _("SPM")
    ACCOUNT_HEAD = "account_head", _("Account head")
    HOTLINE_AGENT = "hotline_agent", _("Hotline agent")
    ADMIN = "admin", _("Administrator")


# Roles that can be the accountable owner of a ticket.
OWNER_ROLES = frozenset(
    {
        Role.ENGINEER,
        Role.PARTNER_ENGINEER,
        Role.SERVICE_MANAGER,
        Role.PRODUCT_LEADER,
        Role.SPM,
        Role.ACCOUNT_HEAD,
        Role.HOTLINE_AGENT,
    }
)
# Vendor-office roles that see every ticket of their office (and the offices below it).
OFFICE_ROLES = OWNER_ROLES - {Role.PARTNER_ENGINEER} | {Role.ADMIN}


class Person(AbstractUser):
    """A user account: staff of a vendor office or partner, or a customer contact."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER_CONTACT
    )
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # The phone reduced to one spelling (directory/phones.py), kept by save(): the hotline's
    # lookup from a caller ID is one indexed equality on it.
    phone_key = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.phone_key = phones.phone_key(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_key"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER_CONTACT

    @property
    def can_own_tickets(self) -> bool:
        return self.is_active and self.role in OWNER_ROLES


class BilingualName(models.Model):
    """Reference data named in Chinese (the default) and, optionally, in English: the English
    interface shows the English name where there is one."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        language = translation.get_language() or ""
        return self.name_en if self.name_en and language.startswith("en") else self.name


class Product(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]


class Region(BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    office = models.ForeignKey(
        Organisation,
        verbose_name=_("serving office"),
        on_delete=models.PROTECT,
        related_name="regions",
        limit_choices_to={"kind": OrgKind.VENDOR_OFFICE},
    )
    service_manager = models.ForeignKey(
        Person,
        verbose_name=_("service manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_regions",
        help_text=_("Owns requests the responsibility matrix does not cover."),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]


class Team(BilingualName):
    office = models.ForeignKey(
        Organisation, verbose_name=_("office"), on_delete=models.PROTECT, related_name="teams"
    )
    members = models.ManyToManyField(
        Person, verbose_name=_("members"), related_name="teams", blank=True
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]


class Responsibility(models.Model):
    """One cell of the responsibility matrix: who owns requests for a product in a region."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.CASCADE)
    primary = models.ForeignKey(
        Person, verbose_name=_("primary"), on_delete=models.PROTECT, related_name="+"
    )
    backup = models.ForeignKey(
        Person,
        verbose_name=_("backup"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibility matrix")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "region"], name="one_cell_per_product_region"
            ),
            models.CheckConstraint(
                condition=Q(backup__isnull=True) | ~Q(backup=models.F("primary")),
                name="backup_differs_from_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.region}"


# The roles of the escalation ladder that are assigned per scope (DESIGN: role assignment).
class LadderRole(models.TextChoices):
    SERVICE_MANAGER = "service_manager", _("Service manager")
    PRODUCT_LEADER = "product_leader", _("Product maintenance leader")
    SPM = "spm", _("SPM")
    ACCOUNT_HEAD = "account_head", _("Account head")


class RoleAssignment(models.Model):
    """Who holds a ladder role for a scope: a customer organisation (its branches inherit it),
    a region, a product — each left empty for "any". The most specific assignment that covers
    a ticket names the person; one person may hold several roles and several scopes."""

    role = models.CharField(_("role"), max_length=20, choices=LadderRole.choices)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="assignments"
    )
    customer_org = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "person", "customer_org", "region", "product"],
                nulls_distinct=False,
                name="one_assignment_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person}"


class ApiToken(models.Model):
    """A bearer token for integrations. Only its SHA-256 is stored; the token is shown once."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A token works until it expires or is revoked, whichever comes first (empty: no expiry).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.person})"

    def is_live(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "cd_" + secrets.token_urlsafe(32)


class RecoveryCode(models.Model):
    """A one-time code that stands in for the authenticator app at sign-in (a lost phone).
    Only its SHA-256 is stored; the codes are shown once, when made (directory/totp.py)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code of {self.person}"

    @staticmethod
    def hash_code(code: str) -> str:
        return hashlib.sha256(code.encode()).hexdigest()


class RefGeneration(models.Model):
    """One row: a random token replaced by every write to cached reference data
    (caredesk.directory.refdata), so each process knows when its copy is out of date."""

    token = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "reference data generation"

    def __str__(self) -> str:
        return str(self.token)
