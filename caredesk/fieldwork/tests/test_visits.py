"""Site visits: nobody leaves the site unresolved without a next step and a word to the
customer (seed case 6); the customer hears it through the outbox and reads it on the
timeline; partners record only what is handed to them now; the customer confirms the report."""

import datetime as dt

import pytest
from django.utils import translation

from caredesk import clock
from caredesk.audit.models import AuditRecord
from caredesk.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from caredesk.fieldwork.models import Visit, VisitResult, VisitStatus
from caredesk.fieldwork.visits import services
from caredesk.fieldwork.visits.services import NextStepRequired, VisitAlreadyConfirmed
from caredesk.notify import rendering
from caredesk.notify.models import Message
from caredesk.tickets import services as ticket_services
from caredesk.tickets.models import EntryKind, Ticket

WORK = "更换尾纤后部分专线恢复，其余仍不通，未找到根因。"
MESSAGE = "今天未能找到根因，非常抱歉。明天上午我们带光功率计再来，并请产品专家远程协助。"


def _tomorrow():
    return clock.now() + dt.timedelta(days=1)


def _leave_unresolved(cast, visit, **over):
    values = {
        "actor": cast.b,
        "visit": visit,
        "result": VisitResult.UNRESOLVED,
        "work_done": WORK,
        "next_step": "携带光功率计复查全段光路",
        "next_step_owner": cast.c,
        "next_step_due": _tomorrow(),
        "customer_message": MESSAGE,
    }
    values.update(over)
    return services.leave_site(**values)


def test_leaving_site_unresolved_requires_next_step(cast, on_site, at):
    at(0, fire=False)
    visit = on_site()
    for result in (VisitResult.UNRESOLVED, VisitResult.NEEDS_PARTS):
        with pytest.raises(NextStepRequired) as refused:
            services.leave_site(actor=cast.b, visit=visit, result=result, work_done=WORK)
        err = refused.value
        assert err.code == "next_step_required" and err.status == 422
        assert set(err.fields) == set(services.NEXT_STEP_FIELDS)
        # The message names every missing field, in the reader's language.
        with translation.override("en"):
            english = str(err.message)
        for words in ("the next step", "who does it", "by when", "a message to the customer"):
            assert words in english
        assert "缺少：后续计划、负责人、完成时限、给客户的说明" in str(err.message)
    # One missing is named alone.
    with pytest.raises(NextStepRequired) as refused:
        _leave_unresolved(cast, visit, customer_message="  ")
    assert set(refused.value.fields) == {"customer_message"}
    with translation.override("en"):
        assert "Missing: a message to the customer." in str(refused.value.message)
    # A next step already due is no promise.
    with pytest.raises(ValidationFailed) as refused:
        _leave_unresolved(cast, visit, next_step_due=clock.now() - dt.timedelta(minutes=5))
    assert set(refused.value.fields) == {"next_step_due"}
    # Nothing of the refusals was kept: the engineer is still on site.
    fresh = Visit.objects.get(pk=visit.pk)
    assert fresh.status == VisitStatus.ON_SITE and fresh.left_at is None
    assert not visit.ticket.timeline.filter(kind=EntryKind.VISIT_LEFT).exists()
    assert not Message.objects.filter(template="visit_left").exists()

    left = _leave_unresolved(cast, visit)
    assert left.status == VisitStatus.LEFT and left.result == VisitResult.UNRESOLVED
    assert left.next_step_owner == cast.c and left.left_at == clock.now()


def test_leaving_unresolved_tells_the_customer_through_the_outbox_and_the_timeline(cast, on_site):
    visit = on_site()
    _leave_unresolved(cast, visit)
    entry = Ticket.objects.get(pk=visit.ticket_id).timeline.get(kind=EntryKind.VISIT_LEFT)
    assert entry.public and entry.body == MESSAGE
    assert entry.data["result"] == "unresolved"
    assert entry.data["next_step_owner_name"] == cast.c.name
    queued = Message.objects.filter(template="visit_left")
    assert {m.recipient for m in queued} == {cast.y}  # the requester (no stakeholder map here)
    (message,) = queued
    assert message.state == "pending" and message.topic == f"ticket:{visit.ticket_id}"
    assert message.context["text"] == MESSAGE
    assert message.context["next_step"] == "携带光功率计复查全段光路"
    assert message.context["next_step_owner"] == cast.c.name
    subject, body = rendering.render(message.template, message.language, message.context)
    assert "尚未解决" in subject and MESSAGE in body and cast.c.name in body
    # The visit's steps are on the timeline and in the audit log, one each.
    kinds = list(
        Ticket.objects.get(pk=visit.ticket_id)
        .timeline.filter(data__visit=visit.pk)
        .values_list("kind", flat=True)
    )
    assert kinds == ["visit_planned", "visit_travel", "visit_arrived", "visit_left"]
    actions = AuditRecord.objects.filter(object_type="Visit", object_id=str(visit.pk))
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "visit.plan",
        "visit.travel",
        "visit.arrive",
        "visit.leave",
    ]


def test_resolved_visit_needs_no_next_step_and_refuses_one(cast, on_site):
    visit = on_site()
    with pytest.raises(ValidationFailed) as refused:
        services.leave_site(
            actor=cast.b, visit=visit, result="resolved", work_done=WORK, next_step="再来"
        )
    assert set(refused.value.fields) == {"next_step"}
    left = services.leave_site(actor=cast.b, visit=visit, result="resolved", work_done="清理防尘网")
    assert left.next_step_due is None
    assert Message.objects.filter(template="visit_left", recipient=cast.y).count() == 1


def test_steps_come_in_order(cast, open_request):
    ticket = open_request()
    visit = services.plan_visit(
        actor=cast.b, ticket=ticket, engineer=cast.b, planned_at=clock.now(), purpose="巡检"
    )
    with pytest.raises(InvalidTransition):
        services.leave_site(actor=cast.b, visit=visit, result="resolved", work_done="x")
    services.arrive(actor=cast.b, visit=visit)  # setting off is not required
    with pytest.raises(InvalidTransition):
        services.start_travel(actor=cast.b, visit=visit)
    with pytest.raises(InvalidTransition):
        services.cancel_visit(actor=cast.b, visit=visit, reason="x")


def test_a_stated_time_needs_a_reason_and_keeps_the_servers(cast, on_site, at):
    arrived = at(0, fire=False)
    visit = on_site()
    at(50, fire=False)
    leave = {"actor": cast.b, "visit": visit, "result": "resolved", "work_done": WORK}
    with pytest.raises(ValidationFailed) as refused:
        services.leave_site(**leave, at=arrived + dt.timedelta(minutes=30))
    assert set(refused.value.fields) == {"reason"}
    for wrong in (
        arrived + dt.timedelta(minutes=55),  # never in the future
        arrived - dt.timedelta(minutes=1),  # nor before the engineer arrived
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.leave_site(**leave, at=wrong, reason="r")
        assert set(refused.value.fields) == {"at"}
    # Within the window, with a reason: kept beside the moment it was entered, and audited.
    left = services.leave_site(
        **leave, at=arrived + dt.timedelta(minutes=30), reason="机房没有信号，出来后补录"
    )
    assert left.left_at == arrived + dt.timedelta(minutes=30)
    stated = left.corrections["left"]
    assert stated["reason"] == "机房没有信号，出来后补录"
    assert dt.datetime.fromisoformat(stated["recorded_at"]) == arrived + dt.timedelta(minutes=50)
    record = AuditRecord.objects.get(action="visit.leave", object_id=str(visit.pk))
    assert record.after["corrections"]["left"]["reason"] == "机房没有信号，出来后补录"
    entry = visit.ticket.timeline.get(kind=EntryKind.VISIT_LEFT)
    assert entry.data["stated"] is True and "补录" not in str(entry.data)  # customers read it


def test_partner_records_only_tickets_handed_to_him_now(cast, open_request, api):
    # transport × Lakeside: the matrix makes partner.d the owner.
    ticket = open_request(product="transport")
    assert ticket.owner == cast.d
    visit = services.plan_visit(
        actor=cast.d, ticket=ticket, engineer=cast.d, planned_at=clock.now(), purpose="清灰"
    )
    services.arrive(actor=cast.d, visit=visit)
    # He hands the ticket to engineer.c, who accepts: it is no longer his.
    handoff = ticket_services.propose_handoff(
        actor=cast.d, ticket=ticket, to_person=cast.c, reason="需要办事处工程师"
    )
    ticket_services.accept_handoff(actor=cast.c, handoff=handoff)
    answer = api(cast.d).post(
        f"/visits/{visit.pk}/leave", {"result": "resolved", "work_done": "清理防尘网"}
    )
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    with pytest.raises(NotFound):
        services.leave_site(actor=cast.d, visit=visit, result="resolved", work_done="x")
    # Proposed to him again but not accepted: he sees the ticket, and still may not record.
    ticket_services.propose_handoff(
        actor=cast.c, ticket=Ticket.objects.get(pk=ticket.pk), to_person=cast.d, reason="回去"
    )
    with pytest.raises(PermissionDenied):
        services.leave_site(actor=cast.d, visit=visit, result="resolved", work_done="x")
    with pytest.raises(PermissionDenied):
        services.plan_visit(
            actor=cast.d, ticket=ticket, engineer=cast.d, planned_at=clock.now(), purpose="x"
        )
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.ON_SITE
    # Nor may a partner be sent on site for a ticket he does not own.
    with pytest.raises(ValidationFailed) as refused:
        services.plan_visit(
            actor=cast.c, ticket=ticket, engineer=cast.d, planned_at=clock.now(), purpose="x"
        )
    assert set(refused.value.fields) == {"engineer"}


def test_customer_confirms_the_report_with_name_and_time(cast, on_site, client, api, at):
    at(0, fire=False)
    visit = on_site()
    _leave_unresolved(cast, visit)
    number = visit.ticket.number
    # Another operator's contact: the visit does not exist for her, on the portal or the API.
    client.force_login(cast.o)
    assert client.post(f"/visits/{visit.pk}/confirm/").status_code == 404
    assert client.get(f"/visits/{2**63}/").status_code == 404  # past the database's ids
    assert api(cast.o).post(f"/visits/{visit.pk}/confirm").status_code == 404
    # Staff cannot confirm for the customer.
    assert api(cast.b).post(f"/visits/{visit.pk}/confirm").status_code == 403
    client.force_login(cast.y)
    page = client.get(f"/t/{number}/")
    assert page.status_code == 200 and "visit-confirm" in page.content.decode()
    answer = client.post(f"/visits/{visit.pk}/confirm/")
    assert answer.status_code == 302 and answer["Location"].startswith(f"/t/{number}/")
    confirmed = Visit.objects.get(pk=visit.pk)
    assert confirmed.confirmed_by == cast.y and confirmed.confirmed_name == cast.y.name
    assert confirmed.confirmed_at == clock.now()
    entry = visit.ticket.timeline.get(kind=EntryKind.VISIT_CONFIRMED)
    assert entry.actor == cast.y and entry.data["confirmed_name"] == cast.y.name
    with pytest.raises(VisitAlreadyConfirmed):
        services.confirm_report(actor=cast.x, visit=confirmed)
    body = api(cast.x).get(f"/visits/{visit.pk}").json()  # the province contact reads it too
    assert body["confirmation"]["name"] == cast.y.name
    assert body["internal"] is None  # customers read the report, not the internals


def test_stale_version_is_refused_with_409(cast, on_site, api):
    visit = on_site()
    stale = visit.version - 1
    answer = api(cast.b).post(
        f"/visits/{visit.pk}/leave",
        {"result": "resolved", "work_done": "清理", "version": stale},
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "stale_version"
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.ON_SITE


def test_api_refusal_names_the_missing_fields(cast, on_site, api):
    visit = on_site()
    answer = api(cast.b).post(
        f"/visits/{visit.pk}/leave", {"result": "needs_parts", "work_done": WORK}
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "next_step_required"
    assert set(error["fields"]) == {
        "next_step",
        "next_step_owner",
        "next_step_due",
        "customer_message",
    }
    due = _tomorrow().isoformat()
    answer = api(cast.b).post(
        f"/visits/{visit.pk}/leave",
        {
            "result": "needs_parts",
            "work_done": WORK,
            "next_step": "备件到货后更换光模块",
            "next_step_owner": cast.c.pk,
            "next_step_due": due,
            "customer_message": MESSAGE,
        },
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["result"] == "needs_parts" and body["next_step"]["owner"]["name"] == cast.c.name
    assert body["internal"]["planned_by"]["id"] == cast.b.pk
