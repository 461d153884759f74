"""The reference data's kinds: organisations, people, products, regions, the responsibility
matrix, role assignments and holidays, each written through its owning app's verb."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caredesk.calendars import services as calendars
from caredesk.calendars.models import Calendar, DayKind
from caredesk.directory import services as directory
from caredesk.directory.models import (
    LadderRole,
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

from .reading import RowError, choice_of, date_of, language_of, text


# ------------------------------------------------------------------ kinds
@dataclass
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] = text


class Kind:
    """One importable kind: its columns, and how a row becomes a verb call."""

    name = ""
    columns: tuple[Column, ...] = ()

    def __init__(self, actor: Person):
        self.actor = actor

    def apply(self, row: dict[str, Any]) -> str:
        """Write one row through the owning verb: "created", "updated" or "unchanged"."""
        raise NotImplementedError

    # helpers shared by the kinds
    def _upsert(self, model, existing, values: dict[str, Any]) -> str:
        if existing is None:
            directory.create_reference(actor=self.actor, model=model, values=values)
            return "created"
        changed = {k: v for k, v in values.items() if _current(existing, k) != _key(v)}
        if not changed:
            return "unchanged"
        directory.update_reference(actor=self.actor, obj=existing, values=changed)
        return "updated"


def _current(obj, name):
    return getattr(obj, f"{name}_id") if hasattr(obj, f"{name}_id") else getattr(obj, name)


def _key(value):
    return value.pk if hasattr(value, "pk") else value


def organisation_named(column: str, name: str, *, kind: str | None = None) -> Organisation | None:
    if not name:
        return None
    found = list(Organisation.objects.filter(name=name)[:2])
    if not found:
        raise RowError(column, f"no organisation named {name!r}")
    if len(found) > 1:
        raise RowError(column, f"more than one organisation is named {name!r}")
    if kind and found[0].kind != kind:
        raise RowError(column, f"{name!r} is not a {kind.replace('_', ' ')}")
    return found[0]


def person_named(column: str, username: str) -> Person | None:
    if not username:
        return None
    try:
        return Person.objects.get(username=username)
    except Person.DoesNotExist:
        raise RowError(column, f"no person with username {username!r}") from None


def by_code(model, column: str, code: str):
    if not code:
        return None
    try:
        return model.objects.get(code=code)
    except model.DoesNotExist:
        raise RowError(column, f"no {model.__name__.lower()} with code {code!r}") from None


class Organisations(Kind):
    name = "organisations"
    columns = (
        Column("name", ("名称", "组织"), required=True),
        Column("kind", ("类型",), required=True, parse=choice_of(OrgKind, "kind")),
        Column("parent", ("上级", "上级组织")),
    )

    def apply(self, row):
        parent = organisation_named("parent", row["parent"])
        values = {"name": row["name"], "kind": row["kind"], "parent": parent}
        existing = list(Organisation.objects.filter(name=row["name"])[:2])
        if len(existing) > 1:
            raise RowError("name", f"more than one organisation is named {row['name']!r}")
        return self._upsert(Organisation, existing[0] if existing else None, values)


class People(Kind):
    name = "people"
    columns = (
        Column("username", ("用户名", "账号"), required=True),
        Column("display_name", ("姓名", "name")),
        Column("role", ("角色",), required=True, parse=choice_of(Role, "role")),
        Column("organisation", ("组织", "单位"), required=True),
        Column("phone", ("电话", "手机")),
        Column("email", ("邮箱", "电子邮件")),
        Column("language", ("语言",), parse=language_of),
    )

    def apply(self, row):
        values = {
            "display_name": row["display_name"],
            "role": row["role"],
            "organisation": organisation_named("organisation", row["organisation"]),
            "phone": row["phone"],
            "email": row["email"],
        }
        if row["language"]:
            values["language"] = row["language"]
        existing = Person.objects.filter(username=row["username"]).first()
        if existing is None:
            # No password: imported people sign in once an administrator sets one.
            values["username"] = row["username"]
        return self._upsert(Person, existing, values)


class Products(Kind):
    name = "products"
    columns = (
        Column("code", ("代码", "编码"), required=True),
        Column("name", ("名称", "产品"), required=True),
        Column("name_en", ("英文名称", "english name")),
    )

    def apply(self, row):
        values = {"code": row["code"], "name": row["name"], "name_en": row["name_en"]}
        return self._upsert(Product, Product.objects.filter(code=row["code"]).first(), values)


class Regions(Kind):
    name = "regions"
    columns = (
        Column("code", ("代码", "编码"), required=True),
        Column("name", ("名称", "区域"), required=True),
        Column("name_en", ("英文名称", "english name")),
        Column("office", ("办事处", "服务办事处"), required=True),
        Column("service_manager", ("服务经理",)),
    )

    def apply(self, row):
        values = {
            "code": row["code"],
            "name": row["name"],
            "name_en": row["name_en"],
            "office": organisation_named("office", row["office"], kind=OrgKind.VENDOR_OFFICE),
            "service_manager": person_named("service_manager", row["service_manager"]),
        }
        return self._upsert(Region, Region.objects.filter(code=row["code"]).first(), values)


class Responsibilities(Kind):
    name = "responsibilities"
    columns = (
        Column("product", ("产品",), required=True),
        Column("region", ("区域",), required=True),
        Column("primary", ("责任人", "主责"), required=True),
        Column("backup", ("备份", "备份责任人")),
        Column("team", ("团队",)),
    )

    def apply(self, row):
        product = by_code(Product, "product", row["product"])
        region = by_code(Region, "region", row["region"])
        team = None
        if row["team"]:
            team = Team.objects.filter(office=region.office, name=row["team"]).first()
            if team is None:
                raise RowError("team", f"no team {row['team']!r} in {region.office}")
        values = {
            "product": product,
            "region": region,
            "primary": person_named("primary", row["primary"]),
            "backup": person_named("backup", row["backup"]),
            "team": team,
        }
        existing = Responsibility.objects.filter(product=product, region=region).first()
        return self._upsert(Responsibility, existing, values)


class RoleAssignments(Kind):
    name = "role-assignments"
    columns = (
        Column("role", ("角色",), required=True, parse=choice_of(LadderRole, "role")),
        Column("person", ("人员", "用户名"), required=True),
        Column("customer", ("客户",)),
        Column("region", ("区域",)),
        Column("product", ("产品",)),
    )

    def apply(self, row):
        values = {
            "role": row["role"],
            "person": person_named("person", row["person"]),
            "customer_org": organisation_named("customer", row["customer"], kind=OrgKind.CUSTOMER),
            "region": by_code(Region, "region", row["region"]),
            "product": by_code(Product, "product", row["product"]),
        }
        scope = {k: _key(v) for k, v in values.items()}
        scope = {f"{k}_id" if k != "role" else k: v for k, v in scope.items()}
        if RoleAssignment.objects.filter(**scope).exists():
            return "unchanged"
        directory.create_reference(actor=self.actor, model=RoleAssignment, values=values)
        return "created"


class Holidays(Kind):
    name = "holidays"
    columns = (
        Column("calendar", ("日历",), required=True),
        Column("date", ("日期",), required=True, parse=date_of),
        Column("kind", ("类型",), required=True, parse=choice_of(DayKind, "day kind")),
        Column("name", ("名称", "说明")),
    )

    def apply(self, row):
        calendar = Calendar.objects.filter(name=row["calendar"]).first()
        if calendar is None:
            raise RowError("calendar", f"no calendar named {row['calendar']!r}")
        before = calendar.days.filter(date=row["date"]).values_list("kind", "name").first()
        if before == (row["kind"], row["name"]):
            return "unchanged"
        calendars.set_calendar_day(
            actor=self.actor,
            calendar=calendar,
            date=row["date"],
            kind=row["kind"],
            name=row["name"],
        )
        return "created" if before is None else "updated"
