"""Writes to the directory's reference data, each audited. Admins only."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from caredesk.audit import services as audit
from caredesk.errors import Conflict, PermissionDenied, ValidationFailed

from . import policy
from .models import (
    OFFICE_ROLES,
    Organisation,
    OrgKind,
    Person,
    Product,
    Region,
    Responsibility,
    Role,
    RoleAssignment,
    Team,
)


def _require_admin(actor: Person) -> None:
    if not policy.can_write_reference_data(actor):
        raise PermissionDenied(_("Only administrators change reference data."))


def _fields(obj, names) -> dict[str, Any]:
    return {n: getattr(obj, f"{n}_id", getattr(obj, n, None)) for n in names}


@transaction.atomic
def create_reference(*, actor: Person, model: type, values: dict[str, Any]):
    """Create a product, region, organisation, matrix cell or role assignment."""
    _require_admin(actor)
    obj = model(**values)
    _validate(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(_("That entry exists already.")) from exc
    audit.record(
        actor=actor, action=f"{model.__name__.lower()}.create", obj=obj, after=_fields(obj, values)
    )
    return obj


@transaction.atomic
def update_reference(*, actor: Person, obj, values: dict[str, Any]):
    _require_admin(actor)
    before = _fields(obj, values)
    for k, v in values.items():
        setattr(obj, k, v)
    _validate(obj)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise Conflict(_("That entry exists already.")) from exc
    audit.record(
        actor=actor,
        action=f"{type(obj).__name__.lower()}.update",
        obj=obj,
        before=before,
        after=_fields(obj, values),
    )
    return obj


@transaction.atomic
def delete_reference(*, actor: Person, obj) -> None:
    _require_admin(actor)
    audit.record(actor=actor, action=f"{type(obj).__name__.lower()}.delete", obj=obj)
    obj.delete()


def _validate(obj) -> None:
    errors: dict[str, str] = {}
    if isinstance(obj, Responsibility):
        for field in ("primary", "backup"):
            person = getattr(obj, field, None) if getattr(obj, f"{field}_id") else None
            if person is not None and not person.can_own_tickets:
                errors[field] = str(_("This person cannot own tickets."))
        if obj.backup_id and obj.backup_id == obj.primary_id:
            errors["backup"] = str(_("The backup must be someone other than the primary."))
    if isinstance(obj, Region) and obj.office.kind != OrgKind.VENDOR_OFFICE:
        errors["office"] = str(_("Choose a vendor office."))
    if isinstance(obj, Organisation) and obj.parent_id and obj.parent_id == obj.pk:
        errors["parent"] = str(_("An organisation cannot be its own parent."))
    if isinstance(obj, RoleAssignment):
        if obj.person.role not in OFFICE_ROLES or obj.person.role == Role.ADMIN:
            errors["person"] = str(_("Choose a member of a vendor office."))
        elif not obj.person.is_active:
            errors["person"] = str(_("This person is no longer active."))
        if obj.customer_org_id and obj.customer_org.kind != OrgKind.CUSTOMER:
            errors["customer_org"] = str(_("Choose a customer organisation."))
        # SQLite treats empty scopes as distinct in the unique constraint; say it here too.
        scope = {
            f: getattr(obj, f"{f}_id") for f in ("person", "customer_org", "region", "product")
        }
        twin = RoleAssignment.objects.filter(role=obj.role, **scope).exclude(pk=obj.pk)
        if not errors and twin.exists():
            raise Conflict(_("That entry exists already."))
    if isinstance(obj, Product | Region) and not obj.code:
        errors["code"] = str(_("This field is required."))
    if isinstance(obj, Team) and not obj.name:
        errors["name"] = str(_("This field is required."))
    if errors:
        raise ValidationFailed(fields=errors)


@transaction.atomic
def set_language(*, person: Person, language: str) -> None:
    """A person's own choice of interface language (also used for their notifications)."""
    if language not in {"zh-hans", "en"}:
        raise ValidationFailed(fields={"language": str(_("Unknown language."))})
    if person.language != language:
        Person.objects.filter(pk=person.pk).update(language=language)
        person.language = language
