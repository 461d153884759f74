"""Scheduled packs: the monthly pack (the previous month) and the half-year pack (the previous
half), each sent exactly once per period — however many passes, workers or restarts — mailed
with its files through a real SMTP server and posted as a link to a group robot."""

import datetime as dt
import io

import openpyxl
import pytest
from pptx import Presentation

from caredesk import clock, loops
from caredesk.insights.analytics import building, packs
from caredesk.insights.analytics.apps import check_schedules
from caredesk.insights.analytics.models import ReportRun, RunStatus
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message
from caredesk.notify.tests.conftest import receiver, robot, smtp, smtp_port  # noqa: F401

CST = dt.timezone(dt.timedelta(hours=8))
JULY_1 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=CST)
LEASE = dt.timedelta(minutes=2)


@pytest.fixture(autouse=True)
def setup(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.REPORT_PACK_DELAY_HOURS = 2
    packs.forget_checks()
    yield
    packs.forget_checks()


@pytest.fixture
def group(robot):  # noqa: F811
    return robot("wecom")


def schedule(settings, *entries):
    settings.REPORT_SCHEDULES = list(entries)


def monthly(**extra):
    return {"name": "江南月报", "kind": "monthly", "as": "manager.a", **extra}


def test_the_due_period_is_the_last_whole_one_after_the_delay():
    assert packs.period_due("monthly", JULY_1) == "2026-06"
    assert packs.period_due("half_year", JULY_1) == "2026H1"
    # 01:00 on 1 July in Shanghai is within the delay: June is not due yet, May was.
    early = dt.datetime(2026, 7, 1, 1, 0, tzinfo=CST)
    assert packs.period_due("monthly", early) == "2026-05"
    assert packs.period_due("half_year", early) == "2025H2"
    assert packs.period_due("monthly", dt.datetime(2027, 1, 3, tzinfo=CST)) == "2026-12"
    assert packs.period_due("half_year", dt.datetime(2027, 1, 3, tzinfo=CST)) == "2026H2"


def test_a_period_is_queued_once_over_passes_and_restarts(world, settings):
    schedule(settings, monthly(), {"name": "半年报", "kind": "half_year", "as": "manager.a"})
    with clock.frozen_at(JULY_1):
        assert packs.packs_due(worker="w1") == 2
        assert packs.packs_due(worker="w1") == 0  # the next pass, within the minute
        packs.forget_checks()  # the worker restarts
        assert packs.packs_due(worker="w2") == 0
        assert packs.start_due_packs() == 0  # a second worker looking at the same moment
    with clock.frozen_at(JULY_1 + dt.timedelta(days=20)):
        assert packs.packs_due(worker="w2") == 0  # still June's and H1's turn: done
    runs = ReportRun.objects.order_by("schedule")
    assert [(r.schedule, r.period) for r in runs] == [("半年报", "2026H1"), ("江南月报", "2026-06")]
    assert {r.requester for r in runs} == {world.cast.a}
    with clock.frozen_at(dt.datetime(2026, 8, 1, 12, 0, tzinfo=CST)):
        assert packs.packs_due(worker="w1") == 1  # July's monthly pack; H1 stays sent
    assert ReportRun.objects.filter(schedule="江南月报").count() == 2


def test_the_database_refuses_a_second_run_of_a_period(world, settings):
    from django.db import IntegrityError, transaction

    schedule(settings, monthly())
    with clock.frozen_at(JULY_1):
        packs.start_due_packs()
        run = ReportRun.objects.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            ReportRun.objects.create(
                requester=run.requester,
                period=run.period,
                schedule=run.schedule,
                created_at=clock.now(),
            )


def test_the_pack_is_mailed_with_its_files_and_posted_as_a_link_once(
    world,
    settings,
    smtp,  # noqa: F811
    group,
    receiver,  # noqa: F811
):
    cast = world.cast
    schedule(
        settings, monthly(people=["manager.a", "engineer.c", "customer.y"], endpoints=[group.pk])
    )
    with clock.frozen_at(JULY_1):
        loops.run_pass(worker="w1", batch=10, lease=LEASE)  # queues June's run and builds it
        run = ReportRun.objects.get()
        assert run.status == RunStatus.DONE and run.period == "2026-06"
        # The customer named in the schedule may not read the run: not mailed.
        mails = Message.objects.filter(channel="email", topic=f"report:{run.pk}")
        assert {m.recipient for m in mails} == {cast.a, cast.c}
        assert all(len(m.attachments) == 2 for m in mails)
        posts = Message.objects.filter(channel="wecom", topic=f"report:{run.pk}")
        assert posts.count() == 1 and posts.get().attachments == []
        assert deliver_due(worker="w1", batch=10) == 3
        for _ in range(3):  # more passes, a restart: nothing is sent again
            packs.forget_checks()
            loops.run_pass(worker="w2", batch=10, lease=LEASE)
            deliver_due(worker="w2", batch=10)
    assert Message.objects.filter(topic=f"report:{run.pk}").count() == 3
    assert sorted(rcpt[0] for rcpt, _mail in smtp.inbox.messages) == sorted(
        [cast.a.email, cast.c.email]
    )
    _rcpt, mail = smtp.inbox.messages[0]
    assert "2026-06" in mail["Subject"]
    files = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    assert set(files) == set(run.files.values())
    book = openpyxl.load_workbook(io.BytesIO(files[run.files["xlsx"]]))
    assert book.sheetnames
    deck = Presentation(io.BytesIO(files[run.files["pptx"]]))
    title = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "2026-06" in title
    (post,) = receiver.accepted("/cgi-bin/webhook/send")
    assert f"/analytics/reports/{run.pk}/" in str(post["body"])


def test_tell_recipients_twice_queues_nothing_new(world, settings):
    schedule(settings, monthly(people=["manager.a"]))
    with clock.frozen_at(JULY_1):
        packs.start_due_packs()
        building.build_due(worker="w1", lease=LEASE)
        run = ReportRun.objects.get()
        from django.db import transaction

        with transaction.atomic():
            assert packs.tell_recipients(run) == 0  # the keys are queued already
    assert Message.objects.filter(topic=f"report:{run.pk}").count() == 1


def test_a_schedule_that_does_not_parse_is_named_by_the_system_check(world, settings):
    schedule(settings, monthly(), {"name": "x", "kind": "weekly", "as": "manager.a"})
    (error,) = check_schedules()
    assert error.id == "analytics.E001" and "weekly" not in error.msg and "kind" in error.msg
    with clock.frozen_at(JULY_1):
        assert packs.start_due_packs() == 1  # the good one still goes


def test_a_schedule_as_somebody_who_reads_no_figures_makes_no_run(world, settings):
    schedule(settings, monthly(**{"as": "customer.y"}), monthly(name="ghost", **{"as": "nobody"}))
    with clock.frozen_at(JULY_1):
        assert packs.start_due_packs() == 0
    assert not ReportRun.objects.exists()
