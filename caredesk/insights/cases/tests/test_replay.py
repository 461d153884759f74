"""The event replay of a crafted story: a declined hand-off, an unanswered call, an escalation
and a visit left unresolved, in time order, each actor a role with a consistent letter."""

import datetime as dt

import pytest
from django.utils.translation import override

from caredesk.errors import NotFound, PermissionDenied
from caredesk.fieldwork.visits import services as visits
from caredesk.insights.cases import reporting, services
from caredesk.tickets import services as tickets
from caredesk.tickets.models import Handoff


@pytest.fixture
def story(cast, open_request, at):
    at(0, fire=False)
    t = open_request(title="基站掉话", customer_voice="从早上开始一直掉话，打给李博也没人接。")
    at(5, fire=False)
    tickets.acknowledge(actor=cast.b, ticket=t)
    at(10, fire=False)
    tickets.propose_handoff(actor=cast.b, ticket=t, to_person=cast.c, reason="像是无线问题")
    at(15, fire=False)
    tickets.decline_handoff(
        actor=cast.c, handoff=Handoff.objects.get(ticket=t), reason="核心网侧告警，不是无线"
    )
    at(20, fire=False)
    tickets.log_call(
        actor=cast.b, ticket=t, direction="outbound", outcome="no_answer", party="杨越"
    )
    at(25, fire=False)
    tickets.record_system_event(
        ticket=t, kind="escalated", data={"step": 1, "target": cast.a.pk, "target_name": "王立"}
    )
    at(30, fire=False)
    v = visits.plan_visit(
        actor=cast.b,
        ticket=t,
        engineer=cast.b,
        planned_at=at.__self__ if False else _t0(60),
        purpose="现场排查",
    )
    at(60, fire=False)
    visits.start_travel(actor=cast.b, visit=v)
    at(90, fire=False)
    visits.arrive(actor=cast.b, visit=v)
    at(180, fire=False)
    visits.leave_site(
        actor=cast.b,
        visit=v,
        result="unresolved",
        work_done="查了板卡，未找到原因",
        next_step="带备件复查，电话 138-0000-0002",
        next_step_owner=cast.b,
        next_step_due=_t0(24 * 60),
        customer_message="明天再来，王立跟进",
    )
    at(200, fire=False)
    tickets.resolve(actor=cast.b, ticket=t, note="更换板卡后恢复")
    at(210, fire=False)
    tickets.confirm_closure(actor=cast.y, ticket=t)
    return t


def _t0(minutes):
    from caredesk.conftest import T0

    return T0 + dt.timedelta(minutes=minutes)


def test_replay_tells_the_story_in_order_with_roles_and_letters(cast, story):
    with override("zh-hans"):
        case = services.generate_case(actor=cast.a, ticket=story)
    kinds = [i["kind"] for i in case.replay]
    assert kinds[:6] == [
        "opened",
        "acknowledged",
        "handoff_proposed",
        "handoff_declined",
        "call",
        "escalated",
    ]
    assert kinds.index("visit_left") < kinds.index("resolved") < kinds.index("closed")
    assert [i["at"] for i in case.replay] == sorted(i["at"] for i in case.replay)
    report = reporting.case_for_report(case, language="zh-hans")
    lines = {r["what"].split("：")[0]: r["actor"] for r in report["event_replay"]}
    assert report["event_replay"][0]["actor"] == "客户X"
    assert report["event_replay"][1]["actor"] == "工程师A"  # engineer.b, first staff met
    assert "拒绝" in report["event_replay"][3]["what"] or "declined" not in lines
    assert report["event_replay"][3]["actor"] == "工程师B"  # engineer.c declined
    assert (
        "未接听" in report["event_replay"][4]["what"]
        or "无人接听" in report["event_replay"][4]["what"]
    )
    assert "客户X" in report["event_replay"][4]["what"]  # the party called, by role
    assert "服务经理C" in report["event_replay"][5]["what"]  # the escalation's target
    left = next(r for r in report["event_replay"] if "未解决" in r["what"])
    assert "工程师A" in left["what"] and "[电话]" in left["what"] and "服务经理C" in left["what"]
    en = reporting.case_for_report(case, language="en")
    assert en["event_replay"][2] == {
        "at": en["event_replay"][2]["at"],
        "actor": "engineer A",
        "what": "proposed handing the request to engineer B: 像是无线问题",
    }
    assert "李博" not in case.customer_voice and "工程师A" in case.customer_voice


def test_only_the_office_manager_generates_and_only_from_closed_records(cast, story, open_request):
    with pytest.raises(PermissionDenied):
        services.generate_case(actor=cast.b, ticket=story)
    with pytest.raises(NotFound):
        services.generate_case(actor=cast.y, ticket=story)
    with pytest.raises(NotFound):
        services.generate_case(actor=cast.o, ticket=story)  # the outsider
    with pytest.raises(services.SourceNotClosed):
        services.generate_case(actor=cast.a, ticket=open_request())
    services.generate_case(actor=cast.a, ticket=story)
    with pytest.raises(services.CaseExists):
        services.generate_case(actor=cast.a, ticket=story)


def test_a_placeholder_speaks_the_language_of_the_words_around_it(cast):
    from caredesk.insights.cases.anonymise import Anonymiser

    who = Anonymiser()
    for language in ("en", "zh-hans"):  # whatever language the case is made in
        with override(language):
            zh = who.text(f"{cast.b.name}说今天下午到现场，电话{cast.b.phone}")
            en = who.text(f"Called {cast.b.name} at {cast.b.phone}, no answer.")
        assert zh.startswith("工程师A说") and "engineer" not in zh and "[电话]" in zh
        assert en.startswith("Called engineer A at [phone]")
