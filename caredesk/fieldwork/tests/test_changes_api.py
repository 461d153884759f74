"""Change requests through /api/v1: the whole workflow, the error shape of every refusal, 409
on a stale version, who sees what (customers their own network's, partners only what they
execute or hold now), and the stakeholders told before the window and after the outcome."""

import datetime as dt

from caredesk import clock
from caredesk.escalation import demo as escalation_demo
from caredesk.escalation.models import EscalationRun, RunState, Trigger
from caredesk.fieldwork.models import ChangeRequest, ChangeStatus
from caredesk.notify import rendering
from caredesk.notify.models import Message
from caredesk.stakeholders import services as map_services
from caredesk.tickets import services as ticket_services


def _body(cast, **over):
    now = clock.now()
    body = {
        "customer_org": cast.orgs.lakeside.pk,
        "kind": "upgrade",
        "title": "OTN-07 主控板软件升级",
        "plan": "备份配置，加载新版本，倒换主备板，观察业务",
        "rollback_plan": "回退到备份版本",
        "assessment": {"service_impact": False},
        "window_start": (now + dt.timedelta(hours=2)).isoformat(),
        "window_end": (now + dt.timedelta(hours=4)).isoformat(),
        "elements": [{"element": "OTN-07", "site": "湖滨二号机房"}],
        "executor": cast.d.pk,
        "region": cast.regions.lakeside.pk,
        "product": cast.products.core.pk,
    }
    body.update(over)
    return body


def _subscribe(cast):
    """customer.y hears of Lakeside's changes: planned and done."""
    map_services.add_stakeholder(
        actor=cast.admin,
        organisation=cast.orgs.lakeside,
        person=cast.y,
        subscriptions=["change_planned", "change_done"],
    )


def test_change_workflow_through_the_api(cast, api, at):
    at(0)
    _subscribe(cast)
    b, d, p = api(cast.b), api(cast.d), api(cast.p)
    made = b.post("/changes", _body(cast))
    assert made.status_code == 201, made.content
    change = made.json()
    assert change["number"] == f"CHG-{change['id']:06d}" and change["status"] == "draft"
    cid = change["id"]
    assert b.post(f"/changes/{cid}/submit", {"version": 1}).json()["status"] == "submitted"
    # A stale version is a 409 in the error shape, and changes nothing.
    stale = p.post(f"/changes/{cid}/approve", {"version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert ChangeRequest.objects.get(pk=cid).vendor_approved_at is None
    approved = p.post(f"/changes/{cid}/approve", {"version": 2}).json()
    assert approved["status"] == "approved" and approved["vendor_approval"]["by"]["id"] == cast.p.pk
    # The stakeholders hear of it before the window opens (approved within the notice time:
    # at once), in their own language.
    at(1)
    planned = Message.objects.filter(template="change_planned", recipient=cast.y)
    assert planned.count() == 1 and planned.get().context["number"] == change["number"]
    subject, text = rendering.render("change_planned", "zh-hans", planned.get().context)
    assert change["number"] in subject and "OTN-07" in text and "赵东" in text
    too_early = d.post(f"/changes/{cid}/start")
    assert too_early.status_code == 409
    assert too_early.json()["error"]["code"] == "change_outside_window"
    at(150)
    assert d.post(f"/changes/{cid}/start").json()["status"] == "in_progress"
    checks = [{"item": "业务告警清零", "ok": True}, {"item": "专线业务恢复", "ok": False}]
    verified = d.post(
        f"/changes/{cid}/verify", {"checklist": checks, "execution_note": "版本已加载并倒换"}
    )
    assert verified.json()["status"] == "verifying"
    incomplete = d.post(f"/changes/{cid}/complete", {"outcome": "done"})
    assert incomplete.status_code == 422
    assert incomplete.json()["error"]["code"] == "verification_incomplete"
    assert not Message.objects.filter(template="change_outcome").exists()
    rolled = d.post(f"/changes/{cid}/rollback", {"note": "专线未恢复，已按方案回退"})
    assert rolled.json()["status"] == "rolled_back"
    outcome = Message.objects.get(template="change_outcome", recipient=cast.y)
    assert outcome.context["status"] == "rolled_back"
    assert "专线未恢复" in outcome.context["note"]
    # Another operator's contact does not find it; Lakeside's contact reads it.
    assert api(cast.o).get(f"/changes/{cid}").status_code == 404
    assert api(cast.y).get(f"/changes/{cid}").json()["status"] == "rolled_back"


def test_refusals_have_the_error_shape(cast, api, at, open_request):
    at(0)
    b = api(cast.b)
    high = _body(cast, assessment={"service_impact": True, "hard_to_undo": True})
    high["rollback_plan"] = ""
    refused = b.post("/changes", high)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "rollback_plan_required"
    assert not ChangeRequest.objects.exists()
    # Customers and partners do not request changes.
    assert api(cast.y).post("/changes", _body(cast)).status_code == 403
    assert api(cast.d).post("/changes", _body(cast)).status_code == 403
    cid = b.post("/changes", _body(cast)).json()["id"]
    b.post(f"/changes/{cid}/submit")
    own = api(cast.b).post(f"/changes/{cid}/approve")
    assert own.status_code == 403 and own.json()["error"]["code"] == "self_approval"
    conflicting = b.post("/changes", _body(cast, title="同网元配置调整")).json()
    clash = b.post(f"/changes/{conflicting['id']}/submit")
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "change_conflicts"
    assert "override_reason" in clash.json()["error"]["fields"]
    # A ticket that does not exist and one the requester may not see are refused alike.
    other = open_request(actor=cast.o, customer_org=cast.orgs.other)
    for pk in (other.pk, 10**9):
        linked = b.post("/changes", _body(cast, tickets=[pk]))
        assert linked.status_code == 422
        assert "tickets" in linked.json()["error"]["fields"]


def test_partner_sees_only_what_he_executes_or_holds_now(cast, api, at, open_request):
    at(0)
    b = api(cast.b)
    ticket = open_request()  # engineer.b owns it
    mine = b.post("/changes", _body(cast)).json()
    linked = b.post(
        "/changes", _body(cast, executor=cast.c.pk, tickets=[ticket.pk], title="关联工单")
    ).json()
    d = api(cast.d)
    listed = [c["id"] for c in d.get("/changes").json()["items"]]
    assert listed == [mine["id"]]
    assert d.get(f"/changes/{linked['id']}").status_code == 404
    # Handed the ticket (accepted), he sees the change linked to it; proposed only, he did not.
    handoff = ticket_services.propose_handoff(
        actor=cast.b, ticket=ticket, to_person=cast.d, reason="现场"
    )
    assert d.get(f"/changes/{linked['id']}").status_code == 404
    ticket_services.accept_handoff(actor=cast.d, handoff=handoff)
    assert d.get(f"/changes/{linked['id']}").status_code == 200
    # Customers list their own network's; the province its branches'.
    assert len(api(cast.x).get("/changes").json()["items"]) == 2
    assert api(cast.z).get("/changes").json()["items"] == []
    assert api(cast.y).get(f"/changes?ticket={ticket.pk}").json()["items"][0]["id"] == linked["id"]


def test_emergency_change_escalates_until_authorised(cast, api, at, open_request):
    at(0)
    escalation_demo.setup(cast.world)  # the demo's chains, the emergency-change one among them
    ticket = open_request()
    b = api(cast.b)
    body = _body(
        cast,
        model="emergency",
        executor=cast.c.pk,
        tickets=[ticket.pk],
        window_start=clock.now().isoformat(),
        title="紧急倒换主控板",
    )
    cid = b.post("/changes", body).json()["id"]
    submitted = b.post(f"/changes/{cid}/submit").json()
    assert submitted["status"] == "submitted" and submitted["authorise_by"]
    # Staff may start an emergency change before it is authorised.
    assert api(cast.c).post(f"/changes/{cid}/start").json()["status"] == "in_progress"
    at(4 * 60 + 1)  # past the deadline: the change chain starts and calls the manager
    run = EscalationRun.objects.get(ticket=ticket, trigger=Trigger.CHANGE)
    assert run.cause["change"] == cid and run.state == RunState.ACTIVE
    about_it = Message.objects.filter(
        template="escalation", context__condition="change_unauthorised"
    )
    assert {m.recipient for m in about_it} == {cast.a}
    message = about_it.first()
    subject, text = rendering.render(message.template, "zh-hans", message.context)
    assert "紧急变更未授权" in subject and f"紧急变更 CHG-{cid:06d}" in text
    # Authorised after all, the chain stops before its next level.
    assert api(cast.p).post(f"/changes/{cid}/approve").json()["authorised"]
    run.refresh_from_db()
    assert run.state == RunState.STOPPED and run.end_reason == "authorised"
    assert ChangeRequest.objects.get(pk=cid).status == ChangeStatus.IN_PROGRESS
    at(4 * 60 + 60)
    assert {m.recipient for m in about_it.all()} == {cast.a}


def test_standard_change_skips_approval_and_blackouts_are_flagged(cast, api, at):
    at(0)
    admin = api(cast.admin)
    published = admin.post(
        "/change-templates",
        {
            "name": "单板复位",
            "kind": "reboot",
            "plan": "按手册复位单板",
            "rollback_plan": "复位失败则更换备板",
            "risk": "low",
        },
    )
    assert published.status_code == 201
    again = {"name": "同名模板", "kind": "reboot", "plan": "复位", "rollback_plan": "换板"}
    refused = api(cast.b).post("/change-templates", again)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    template = published.json()["id"]
    b = api(cast.b)
    body = _body(cast, model="standard", template=template, plan="", rollback_plan="")
    made = b.post("/changes", body).json()
    assert made["kind"] == "reboot" and made["plan"] == "按手册复位单板"
    submitted = b.post(f"/changes/{made['id']}/submit").json()
    assert submitted["status"] == "approved" and submitted["authorised"]
    at(150)
    assert api(cast.d).post(f"/changes/{made['id']}/start").json()["status"] == "in_progress"
    # A blackout the administrator declares for the province flags the branch's next change.
    now = clock.now()
    declared = admin.post(
        "/blackout-windows",
        {
            "name": "重保期间封网",
            "customer_org": cast.orgs.province.pk,
            "starts_at": (now + dt.timedelta(days=1)).isoformat(),
            "ends_at": (now + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert declared.status_code == 201
    assert api(cast.d).get("/blackout-windows").status_code == 403
    during = b.post(
        "/changes",
        _body(
            cast,
            elements=[{"element": "BTS-1"}],
            window_start=(now + dt.timedelta(days=1, hours=2)).isoformat(),
            window_end=(now + dt.timedelta(days=1, hours=3)).isoformat(),
        ),
    ).json()
    assert [c["kind"] for c in during["conflicts"]] == ["blackout"]
    refused = b.post(f"/changes/{during['id']}/submit")
    assert refused.status_code == 409 and "重保期间封网" in refused.json()["error"]["message"]
    override = b.post(f"/changes/{during['id']}/submit", {"override_reason": "客户要求紧急扩容"})
    assert override.json()["status"] == "submitted"
    assert override.json()["override_reason"] == "客户要求紧急扩容"
