"""/api/v1/reports: ask for a run, follow it, list one's runs, fetch the files; bad input is a
4xx in the error shape, what one may not read a 404."""

import datetime as dt
import io

import openpyxl
import pytest

from caredesk import clock
from caredesk.conftest import ApiClient
from caredesk.insights.analytics import building

LEASE = dt.timedelta(minutes=2)


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    with clock.frozen_at(dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)):
        yield


def test_a_run_asked_for_over_the_api_is_followed_to_its_files(world):
    api = ApiClient(world.cast.a)
    lakeside = world.cast.orgs.lakeside.pk
    made = api.post("/reports", {"period": "2026H1", "customer": lakeside, "language": "en"})
    assert made.status_code == 201
    run = made.json()
    assert run["status"] == "queued" and run["files"] == []
    assert run["filters"] == {"period": "2026H1", "customer": str(lakeside)}
    building.build_due(worker="w1", lease=LEASE)
    done = api.get(f"/reports/{run['id']}").json()
    assert done["status"] == "done" and done["files"] == ["pptx", "xlsx"]
    assert done["step"] == done["steps"] == 5
    assert [r["id"] for r in api.get("/reports").json()] == [run["id"]]
    answer = api.get(f"/reports/{run['id']}/files/xlsx")
    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith("attachment;")
    assert answer["X-Content-Type-Options"] == "nosniff"
    book = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content)))
    assert book.sheetnames


@pytest.mark.parametrize(
    "body",
    [
        {"period": "2026H7"},
        {"period": "0000-01"},  # no datetime holds year 0
        {"period": "9999H2"},
        {"period": "2026H1", "customer": 999_999},
        {"period": "2026H1", "language": "fr"},
    ],
)
def test_bad_input_is_a_422_in_the_error_shape(world, body):
    answer = ApiClient(world.cast.a).post("/reports", body)
    assert answer.status_code == 422
    assert set(answer.json()["error"]) == {"code", "message", "fields"}


def test_customers_and_other_offices_get_404(world):
    cast = world.cast
    run = ApiClient(cast.b).post("/reports", {"period": "2026H1"}).json()
    assert ApiClient(cast.c).get(f"/reports/{run['id']}").status_code == 200  # same office
    for person in (cast.y, cast.d, cast.h):
        assert ApiClient(person).get(f"/reports/{run['id']}").status_code == 404
    assert ApiClient(cast.y).post("/reports", {"period": "2026H1"}).status_code == 404
    assert ApiClient(cast.y).get("/reports").status_code == 404
    # Not done yet: no file, whoever asks.
    assert ApiClient(cast.b).get(f"/reports/{run['id']}/files/xlsx").status_code == 404
