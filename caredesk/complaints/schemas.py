"""The shapes of /api/v1 complaints: what is read (customers get no internal part) and what
each step takes."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from caredesk.apikit import Id, Version
from caredesk.tickets.rules import Limits

from .models import Channel, Closure, DeadlineKind, Impact, Severity, Source, Status

SourceIn = Literal[tuple(Source.values)]  # type: ignore[valid-type]
ChannelIn = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
SeverityIn = Literal[tuple(Severity.values)]  # type: ignore[valid-type]
ImpactIn = Literal[tuple(Impact.values)]  # type: ignore[valid-type]
ClosureIn = Literal[tuple(Closure.values)]  # type: ignore[valid-type]
DeadlineIn = Literal[tuple(DeadlineKind.values)]  # type: ignore[valid-type]
StatusFilter = Literal[("open", "all", *Status.values)]  # type: ignore[valid-type]


class ComplaintPersonOut(Schema):
    id: int
    name: str
    phone: str


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent: str | None = Field(description="The parent category's code, for a sub-category")


class ComplaintTicketRef(Schema):
    id: int
    number: str
    title: str


class DeadlinesOut(Schema):
    acknowledge: datetime
    callback: datetime
    resolve: datetime
    next: datetime | None = Field(description="The nearest deadline still to meet")
    overdue: list[str] = Field(description="Deadlines missed: acknowledge, callback, resolve")


class ExtensionOut(Schema):
    deadline: str
    old_due: datetime
    new_due: datetime
    reason: str
    asked_by: str
    asked_at: datetime


class CallBackOut(Schema):
    at: datetime
    by: str
    reached: bool
    satisfied: bool | None
    after_response: bool
    note: str


class ActionOut(Schema):
    id: int
    description: str
    owner: ComplaintPersonOut
    due_at: datetime
    verified_at: datetime | None
    verification: str
    effective: bool | None


class EntryOut(Schema):
    kind: str
    at: datetime
    actor: str | None
    body: str
    internal: bool
    data: dict


class InternalOut(Schema):
    root_cause: CategoryOut | None
    findings: str
    actions: list[ActionOut]
    registered_by: ComplaintPersonOut
    response_draft: str


class ComplaintOut(Schema):
    id: int
    number: str
    status: str = Field(description=", ".join(Status.values))
    source: str
    source_ref: str
    channel: str
    customer_org: int
    complainant: str
    complainant_phone: str
    received_at: datetime
    words: str = Field(description="The complainant's words, verbatim")
    remedy_sought: str
    severity: str
    impact: str
    category: CategoryOut
    subcategory: CategoryOut | None
    handler: ComplaintPersonOut
    tickets: list[ComplaintTicketRef]
    deadlines: DeadlinesOut
    response: str = Field(description="The response as sent (empty until it is)")
    response_sent_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_by: str | None
    closed_at: datetime | None
    closure: str
    recourse_told: str
    extensions: list[ExtensionOut]
    callbacks: list[CallBackOut]
    timeline: list[EntryOut]
    version: int
    internal: InternalOut | None = Field(description="For staff; null for customers")


class ComplaintRow(Schema):
    id: int
    number: str
    status: str
    severity: str
    category: str
    customer_org: int
    complainant: str
    handler: ComplaintPersonOut
    received_at: datetime
    next_due: datetime | None
    overdue: list[str]


class ComplaintPage(Schema):
    items: list[ComplaintRow]
    next_cursor: str | None


class OpenIn(Schema):
    source: SourceIn
    source_ref: str = Field("", max_length=100)
    tickets: list[Id] = Field(min_length=1, max_length=20)
    channel: ChannelIn | None = None
    complainant: Id | None = Field(None, description="A customer contact; else give a name")
    complainant_name: str = Field("", max_length=100)
    complainant_phone: str = Field("", max_length=32)
    received_at: datetime | None = None
    words: str = Field(min_length=1, max_length=Limits.TEXT)
    remedy_sought: str = Field(min_length=1, max_length=Limits.REASON)
    severity: SeverityIn
    impact: ImpactIn
    category: str = Field(min_length=1, max_length=40, description="A category's code")
    subcategory: str | None = Field(None, min_length=1, max_length=40)
    handler: Id | None = Field(None, description="Default: the customer's service manager")


class ComplaintVersionIn(Schema):
    version: Version | None = None


class ExtendIn(ComplaintVersionIn):
    deadline: DeadlineIn = "resolve"
    until: datetime
    reason: str = Field(min_length=1, max_length=Limits.REASON)


class CallBackIn(ComplaintVersionIn):
    reached: bool
    satisfied: bool | None = None
    note: str = Field("", max_length=Limits.NOTE)


class RootCauseIn(ComplaintVersionIn):
    cause: str = Field(min_length=1, max_length=40, description="A category's code")
    note: str = Field(min_length=1, max_length=Limits.TEXT)


class ComplaintNoteIn(Schema):
    body: str = Field(min_length=1, max_length=Limits.TEXT)


class ActionIn(Schema):
    description: str = Field(min_length=1, max_length=Limits.REASON)
    owner: Id
    due_at: datetime


class ComplaintVerifyIn(Schema):
    effective: bool
    verification: str = Field(min_length=1, max_length=Limits.REASON)


class RespondIn(ComplaintVersionIn):
    text: str = Field(min_length=1, max_length=Limits.TEXT)


class WithdrawIn(ComplaintVersionIn):
    note: str = Field(min_length=1, max_length=Limits.REASON)
    withdrawn_name: str = Field("", max_length=100)


class ComplaintCloseIn(ComplaintVersionIn):
    outcome: ClosureIn
    note: str = Field("", max_length=Limits.NOTE)
    recourse: str = Field("", max_length=Limits.REASON)


class ComplaintAnswerIn(ComplaintVersionIn):
    accepted: bool = Field(description="The complainant accepts the response (closes it) or not")
    comment: str = Field("", max_length=Limits.NOTE, description="Required when not accepted")


class ComplaintReopenIn(ComplaintVersionIn):
    reason: str = Field(min_length=1, max_length=Limits.REASON)


class ComplaintContactOut(Schema):
    id: int
    name: str
    phone: str
    organisation: int


class FoundTicketOut(Schema):
    id: int
    number: str
    title: str
    customer_org: int
    owner: ComplaintPersonOut
    status: str


class LookupOut(Schema):
    contacts: list[ComplaintContactOut]
    tickets: list[FoundTicketOut]
