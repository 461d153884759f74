"""Report runs built by the worker: queued → running → done with files that open, each step
recorded as it starts, a failure recorded with its reason (no 500), a run retaken after its
worker stopped, and who may read a run and its files (everyone else: 404)."""

import datetime as dt

import openpyxl
import pytest
from django.db.models import Q
from django.test import Client
from pptx import Presentation

from caredesk import claiming, clock
from caredesk.directory.models import Organisation, OrgKind, Person, Role
from caredesk.insights.analytics import building, runs
from caredesk.insights.analytics.filters import filters_from
from caredesk.insights.analytics.models import ReportRun, RunStatus

LEASE = dt.timedelta(minutes=2)
NOW = dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    with clock.frozen_at(NOW):
        yield settings.REPORTS_DIR


def client_for(person):
    c = Client()
    c.force_login(person)
    c.cookies["django_language"] = "en"
    return c


def ask(person, period="2026H1", **params):
    filters = filters_from({"period": period, **params}, default_period=period)
    return runs.request_report(actor=person, filters=filters, language="zh-hans")


def fresh(run):
    return ReportRun.objects.get(pk=run.pk)


@pytest.fixture
def outsider(db, world):
    office = Organisation.objects.create(
        name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=world.cast.orgs.hq
    )
    return Person.objects.create(
        username="engineer.e9", display_name="E9", role=Role.ENGINEER, organisation=office
    )


def test_run_goes_from_queued_to_done_and_its_files_open(world):
    run = ask(world.cast.a)
    assert run.status == RunStatus.QUEUED and run.files == {}
    assert building.build_due(worker="w1", lease=LEASE) == 1
    run = fresh(run)
    assert run.status == RunStatus.DONE
    assert run.step == run.steps == 5  # figures, workbook, summary, Pareto, satisfaction
    assert run.started_at == run.finished_at == NOW and run.error == ""
    assert set(run.files) == {"xlsx", "pptx"}
    book = openpyxl.load_workbook(runs.folder_path(run) / run.files["xlsx"])
    assert "Summary" in book.sheetnames or len(book.sheetnames) >= 5
    deck = Presentation(str(runs.folder_path(run) / run.files["pptx"]))
    assert len(deck.slides) >= 4
    assert building.build_due(worker="w1", lease=LEASE) == 0  # nothing left to build


def test_each_step_is_recorded_as_it_starts(world, monkeypatch):
    seen = []
    record = building._Progress.__call__

    def watched(self, label):
        record(self, label)
        row = fresh(self.run)
        seen.append((row.status, row.step, row.steps, row.step_label, row.claimed_until))

    monkeypatch.setattr(building._Progress, "__call__", watched)
    run = ask(world.cast.a)
    building.build_due(worker="w1", lease=LEASE)
    assert [s[1] for s in seen] == [1, 2, 3, 4, 5]
    assert {s[0] for s in seen} == {RunStatus.RUNNING}
    assert {s[2] for s in seen} == {5}
    assert [s[3] for s in seen][:2] == ["统计数字与学习案例", "工作簿"]  # in the run's language
    assert all(s[4] == NOW + LEASE for s in seen)  # each step renews the claim
    assert fresh(run).status == RunStatus.DONE


def test_a_failing_build_is_recorded_with_its_error_and_the_page_shows_it(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the Pareto fell over")

    monkeypatch.setattr("caredesk.insights.analytics.deck.figures.complaints_pareto", broken)
    run = ask(world.cast.a)
    assert building.build_due(worker="w1", lease=LEASE) == 1
    run = fresh(run)
    assert run.status == RunStatus.FAILED and run.finished_at == NOW
    assert "RuntimeError: the Pareto fell over" in run.error
    assert run.files == {} and not runs.folder_path(run).exists()  # partial files removed
    page = client_for(world.cast.a).get(f"/analytics/reports/{run.pk}/")
    assert page.status_code == 200
    assert "the Pareto fell over" in page.content.decode()
    assert client_for(world.cast.a).get(f"/analytics/reports/{run.pk}/xlsx/").status_code == 404


def test_a_run_whose_worker_stopped_is_built_by_another_after_the_lease(world):
    run = ask(world.cast.a)
    claiming.claim(
        ReportRun,
        ready=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
        order_by="created_at",
        worker="dead",
        now=NOW,
        batch=1,
        lease=LEASE,
    )
    assert building.build_due(worker="w2", lease=LEASE) == 0  # still held by the stopped one
    later = NOW + LEASE + dt.timedelta(seconds=1)
    with clock.frozen_at(later):
        assert building.build_due(worker="w2", lease=LEASE) == 1
    run = fresh(run)
    assert run.status == RunStatus.DONE and run.attempt == 2 and run.claimed_by == "w2"


def test_a_run_given_up_after_its_worker_stopped_too_often(world):
    run = ask(world.cast.a)
    ReportRun.objects.filter(pk=run.pk).update(attempt=building.MAX_ATTEMPTS)
    assert building.build_due(worker="w1", lease=LEASE) == 1
    run = fresh(run)
    assert run.status == RunStatus.FAILED and "3" in run.error


# ---------------------------------------------------------------- pages and access


def test_the_button_queues_a_run_with_the_page_filters_and_shows_its_progress(world):
    lakeside = world.cast.orgs.lakeside.pk
    c = client_for(world.cast.a)
    dashboard = c.get(f"/analytics/?period=2026H1&customer={lakeside}").content.decode()
    assert 'data-testid="build-report"' in dashboard and f'value="{lakeside}"' in dashboard
    answer = c.post("/analytics/reports/", {"period": "2026H1", "customer": lakeside})
    run = ReportRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/analytics/reports/{run.pk}/"
    assert run.filters == {"period": "2026H1", "customer": str(lakeside)}
    assert run.requester == world.cast.a
    page = c.get(answer["Location"]).content.decode()
    assert f'hx-get="/analytics/reports/{run.pk}/progress/"' in page  # polls while it waits
    building.build_due(worker="w1", lease=LEASE)
    card = c.get(f"/analytics/reports/{run.pk}/progress/").content.decode()
    assert "hx-get" not in card and 'data-status="done"' in card  # stops polling when done
    assert f"/analytics/reports/{run.pk}/xlsx/" in card
    listing = c.get("/analytics/reports/").content.decode()
    assert f"/analytics/reports/{run.pk}/pptx/" in listing


def test_a_bad_filter_is_a_form_error_not_a_500(world):
    answer = client_for(world.cast.a).post("/analytics/reports/", {"period": "2026H7"})
    assert answer.status_code == 422
    assert 'data-testid="run-errors"' in answer.content.decode()
    assert not ReportRun.objects.exists()


def test_files_are_attachments_for_the_requester_and_his_office_only(world, outsider):
    cast = world.cast
    run = ask(cast.a)
    building.build_due(worker="w1", lease=LEASE)
    for person in (cast.a, cast.c, cast.b):  # the requester, colleagues of his office
        answer = client_for(person).get(f"/analytics/reports/{run.pk}/xlsx/")
        assert answer.status_code == 200, person
        assert answer["Content-Disposition"].startswith("attachment;")
        assert answer["X-Content-Type-Options"] == "nosniff"
        assert answer["Content-Type"].startswith("application/vnd.openxmlformats")
    for person in (outsider, cast.d, cast.y, cast.x):  # another office, a partner, customers
        for path in ("", "xlsx/", "progress/"):
            answer = client_for(person).get(f"/analytics/reports/{run.pk}/{path}")
            assert answer.status_code == 404, (person, path)
    assert client_for(cast.a).get(f"/analytics/reports/{run.pk}/exe/").status_code == 404
    assert Client().get(f"/analytics/reports/{run.pk}/xlsx/").status_code == 302  # sign in


def test_a_partner_engineers_run_is_his_alone(world):
    cast = world.cast
    run = ask(cast.d)
    assert runs.may_read_run(cast.d, run)
    assert not any(runs.may_read_run(p, run) for p in (cast.a, cast.b, cast.c))
    assert list(runs.readable_runs(cast.a)) == []
    assert list(runs.readable_runs(cast.d)) == [run]


def test_customers_may_not_ask_for_a_run(world):
    with pytest.raises(runs.NotFound):
        ask(world.cast.y)
    assert client_for(world.cast.y).post("/analytics/reports/", {}).status_code == 404


def test_who_may_read_agrees_with_the_list_filter(world, outsider):
    cast = world.cast
    made = [ask(p) for p in (cast.a, cast.b, cast.d, outsider)]
    for person in (cast.a, cast.b, cast.c, cast.d, cast.h, cast.y, outsider):
        listed = set(runs.readable_runs(person).values_list("pk", flat=True))
        assert listed == {r.pk for r in made if runs.may_read_run(person, r)}, person


def test_each_learning_case_is_a_step_and_its_slides_are_in_the_deck(world, monkeypatch):
    from caredesk.insights.analytics.tests.test_deck import CASE

    asked = {}

    def published(actor, **kwargs):
        asked.update(kwargs, actor=actor)
        return [CASE, {**CASE, "title": "第二个案例"}]

    monkeypatch.setattr(building, "cases_for_report", published)
    run = ask(world.cast.a, customer=str(world.cast.orgs.province.pk))
    building.build_due(worker="w1", lease=LEASE)
    run = fresh(run)
    assert asked["actor"] == world.cast.a and asked["customer"] == world.cast.orgs.province.pk
    assert asked["language"] == "zh-hans"
    assert run.status == RunStatus.DONE and run.step == run.steps == 7  # 5 + one per case
    deck = Presentation(str(runs.folder_path(run) / run.files["pptx"]))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert "第二个案例 — 事件回放" in titles and f"{CASE['title']} — 客户声音" in titles
