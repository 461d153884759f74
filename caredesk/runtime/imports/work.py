"""The work apps' kinds: the teams' on-call rotations and who covers them when (escalation) and
the tickets of the system an office used before (tickets), each written through its app's verb."""

import re

from caredesk.directory.models import OrgKind, Product, Region, Team
from caredesk.errors import ValidationFailed
from caredesk.escalation import services as escalation
from caredesk.escalation.models import RosterOverride, Rotation, RotationMember
from caredesk.tickets import services as tickets
from caredesk.tickets.models import Channel, Severity, Status

from .kinds import Column, Kind, by_code, organisation_named, person_named
from .reading import RowError, choice_of, date_of, moment_of, text, time_of

_PERIODS = {"daily": "daily", "每天": "daily", "每日": "daily", "weekly": "weekly",
            "每周": "weekly"}  # fmt: skip
# Usernames in turn order, as a cell holds them: "engineer.b, engineer.c" or "engineer.b、…".
_SEPARATORS = re.compile(r"[\s,，、;；]+")


_REASON_LENGTH = RosterOverride._meta.get_field("reason").max_length
_COLUMN_OF = {"customer_org": "customer", "customer_voice": "description",
              "resolution_note": "resolution"}  # fmt: skip


def _period(value) -> str:
    given = text(value).lower()
    if given not in _PERIODS:
        raise ValueError(f"unknown period {given!r} (daily or weekly)")
    return _PERIODS[given]


class Rosters(Kind):
    """One row per rotation, keyed by its team and name; members in turn order."""

    name = "rosters"
    columns = (
        Column("team", ("团队", "组"), required=True),
        Column("name", ("名称", "轮值"), required=True),
        Column("period", ("周期",), parse=_period),
        Column("handover_time", ("交接时间",), parse=time_of),
        Column("time_zone", ("时区",)),
        Column("start_date", ("开始日期", "首班日期"), required=True, parse=date_of),
        Column("members", ("成员", "值班人员"), required=True),
    )

    def apply(self, row):
        team = _team_named(row["team"])
        defaults = {f.name: f.default for f in Rotation._meta.fields}
        members = tuple(
            person_named("members", username)
            for username in _SEPARATORS.split(row["members"])
            if username
        )
        spec = escalation.RotationSpec(
            name=row["name"],
            period=row["period"] or defaults["period"],
            handover_time=row["handover_time"] or defaults["handover_time"],
            time_zone=row["time_zone"] or defaults["time_zone"],
            start_date=row["start_date"],
            members=members,
        )
        return escalation.set_rotation(actor=self.actor, team=team, spec=spec)[1]


class RosterOverrides(Kind):
    """Who covers a team's on-call duty, from when until when (a holiday swap, sick leave):
    one row per override, keyed by its team, the person on call and the window. A `covers`
    cell names whom they stand in for (one of the team's rotation members); it is kept at the
    head of the override's reason ("李博 → 陈晨: 年假")."""

    name = "roster-overrides"
    columns = (
        Column("team", ("团队", "组"), required=True),
        Column("person", ("值班人员", "顶班人", "on call"), required=True),
        Column("covers", ("替谁", "被替换人", "原值班人员")),
        Column("starts_at", ("开始时间", "从", "from"), required=True, parse=moment_of),
        Column("ends_at", ("结束时间", "至", "until"), required=True, parse=moment_of),
        Column("reason", ("原因", "说明")),
    )

    def apply(self, row):
        team = _team_named(row["team"])
        person = person_named("person", row["person"])
        reason = row["reason"]
        if row["covers"]:
            covered = person_named("covers", row["covers"])
            if covered.pk == person.pk:
                raise RowError("covers", "a person does not cover themselves")
            if not RotationMember.objects.filter(rotation__team=team, person=covered).exists():
                raise RowError("covers", f"{covered.username!r} is in none of {team}'s rotations")
            reason = f"{covered.name} → {person.name}" + (f": {reason}" if reason else "")
        if len(reason) > _REASON_LENGTH:
            raise RowError("reason", f"at most {_REASON_LENGTH} characters")
        same = RosterOverride.objects.filter(
            team=team, person=person, starts_at=row["starts_at"], ends_at=row["ends_at"]
        )
        found = list(same)
        if any(o.reason == reason for o in found):
            return "unchanged"
        for old in found:  # the same window with another reason: replaced, both audited
            escalation.remove_override(actor=self.actor, override=old)
        escalation.add_override(
            actor=self.actor,
            team=team,
            person=person,
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            reason=reason,
        )
        return "updated" if found else "created"


def _team_named(name: str) -> Team:
    found = list(Team.objects.filter(name=name)[:2])
    if not found:
        raise RowError("team", f"no team named {name!r}")
    if len(found) > 1:
        raise RowError("team", f"more than one team is named {name!r}")
    return found[0]


class Tickets(Kind):
    """Historical tickets, keyed by their number in the old system (see
    tickets.services.importing: no clock, no escalation, no message, no survey)."""

    name = "tickets"
    columns = (
        Column("number", ("编号", "工单号", "external id"), required=True),
        Column("customer", ("客户",), required=True),
        Column("product", ("产品",), required=True),
        Column("region", ("区域",), required=True),
        Column(
            "severity", ("级别", "严重程度"), required=True, parse=choice_of(Severity, "severity")
        ),
        Column("status", ("状态",), required=True, parse=choice_of(Status, "status")),
        Column("opened_at", ("创建时间", "受理时间", "opened"), required=True, parse=moment_of),
        Column("resolved_at", ("解决时间", "resolved"), parse=moment_of),
        Column("closed_at", ("关闭时间", "closed"), parse=moment_of),
        Column("owner", ("负责人", "处理人"), required=True),
        Column("title", ("标题",), required=True),
        Column("description", ("描述", "问题描述", "客户原话")),
        Column("channel", ("渠道", "来源"), parse=choice_of(Channel, "channel")),
        Column("site", ("站点", "网元")),
        Column("resolution", ("解决说明", "处理结果")),
    )

    def __init__(self, actor):
        super().__init__(actor)
        # A year of tickets names the same few customers, products and owners again and again;
        # an import of tickets changes none of them, so each is looked up once per run.
        self._found: dict[tuple[str, str], object] = {}

    def _once(self, column: str, value: str, find):
        key = (column, value)
        if key not in self._found:
            self._found[key] = find(column, value)
        return self._found[key]

    # Rows handed to the tickets app at a time (tickets.import_tickets): the new tickets of a
    # chunk are written in a few statements instead of a few per row.
    chunk = 500

    def _past(self, row) -> tickets.PastTicket:
        customer = self._once(
            "customer",
            row["customer"],
            lambda c, v: organisation_named(c, v, kind=OrgKind.CUSTOMER),
        )
        return tickets.PastTicket(
            number=row["number"],
            customer_org=customer,
            product=self._once("product", row["product"], lambda c, v: by_code(Product, c, v)),
            region=self._once("region", row["region"], lambda c, v: by_code(Region, c, v)),
            severity=row["severity"],
            status=row["status"],
            owner=self._once("owner", row["owner"], person_named),
            title=row["title"],
            customer_voice=row["description"],
            opened_at=row["opened_at"],
            resolved_at=row["resolved_at"] or None,
            closed_at=row["closed_at"] or None,
            # The old system did not say: the ticket came in by a program (this import).
            channel=row["channel"] or Channel.API,
            site=row["site"],
            resolution_note=row["resolution"],
        )

    def apply(self, row):
        try:
            return tickets.import_ticket(actor=self.actor, past=self._past(row))[1]
        except ValidationFailed as exc:
            raise _in_columns(exc) from exc

    def apply_many(self, rows: list[dict]) -> list:
        """apply() for a chunk of rows: each row's outcome, or the error it was refused with."""
        results: list = [None] * len(rows)
        pasts, at = [], []
        for i, row in enumerate(rows):
            try:
                pasts.append(self._past(row))
            except RowError as exc:
                results[i] = exc
                continue
            at.append(i)
        for i, outcome in zip(
            at, tickets.import_tickets(actor=self.actor, pasts=pasts), strict=True
        ):
            results[i] = _in_columns(outcome) if isinstance(outcome, ValidationFailed) else outcome
        return results


def _in_columns(exc: ValidationFailed) -> ValidationFailed:
    """The verb names its fields; the report names the file's columns."""
    return ValidationFailed(fields={_COLUMN_OF.get(k, k): v for k, v in exc.fields.items()})
