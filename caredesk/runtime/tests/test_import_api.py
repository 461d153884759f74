"""Imports through /api/v1/imports: an administrator uploads a CSV or an xlsx file, polls the
run while the worker checks it (the head of the file, every bad row), confirms, and the worker
imports it — the same run and the same verbs as the page. Nobody else reaches any of it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from caredesk.conftest import ApiClient
from caredesk.directory.models import Person, Product, Region
from caredesk.runtime import import_runs
from caredesk.runtime.models import ImportRun, ImportStatus

pytestmark = pytest.mark.django_db

PRODUCTS = "代码,名称\nims,IP多媒体子系统\n,无代码\nvolte,VoLTE\n"


def _admin(cast) -> ApiClient:
    client = ApiClient(cast.admin)
    client.client.cookies["django_language"] = "en"
    return client


def _upload(client: ApiClient, content: bytes, name: str, kind: str, **fields):
    data = {"kind": kind, "file": SimpleUploadedFile(name, content), **fields}
    return client.client.post("/api/v1/imports", data)


def _work() -> int:
    """What the worker's loop does on a pass (caredesk.runtime registers work_imports)."""
    return import_runs.work_imports(worker="test-worker")


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_csv_with_a_bad_row_checked_confirmed_and_imported(cast):
    admin = _admin(cast)
    answer = _upload(admin, PRODUCTS.encode("gb18030"), "products.csv", "products")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    run_id = body["id"]
    assert (body["status"], body["confirmable"], body["kind"]) == ("check", False, "products")
    assert body["preview"]["columns"] == ["code", "name"]
    assert body["preview"]["sources"] == {"code": "代码", "name": "名称"}
    assert [r["values"] for r in body["preview"]["rows"]] == [
        ["ims", "IP多媒体子系统"],
        ["", "无代码"],
        ["volte", "VoLTE"],
    ]
    assert [r["row"] for r in body["preview"]["rows"]] == [2, 3, 4]
    assert ImportRun.objects.get().pk == run_id  # the page's own run

    early = admin.post(f"/imports/{run_id}/confirm", {"skip_bad_rows": True})
    assert early.status_code == 409 and early.json()["error"]["code"] == "import_not_ready"

    assert _work() == 1  # the check: a dry run
    checked = admin.get(f"/imports/{run_id}").json()
    assert (checked["status"], checked["confirmable"]) == ("checked", True)
    assert (checked["created"], checked["bad_rows"], checked["problems_total"]) == (2, 1, 1)
    assert checked["problems"] == [{"row": 3, "column": "code", "reason": "required"}]
    assert checked["rows_done"] == checked["rows_total"] == 3
    assert not Product.objects.filter(code="ims").exists()

    refused = admin.post(f"/imports/{run_id}/confirm")
    assert refused.status_code == 409
    assert "bad rows" in refused.json()["error"]["message"]
    assert ImportRun.objects.get().status == ImportStatus.CHECKED

    started = admin.post(f"/imports/{run_id}/confirm", {"skip_bad_rows": True})
    assert started.status_code == 200 and started.json()["status"] == "run"
    assert _work() == 1 and _work() == 0
    done = admin.get(f"/imports/{run_id}").json()
    assert (done["status"], done["created"], done["bad_rows"], done["skip_bad_rows"]) == (
        "done",
        2,
        1,
        True,
    )
    assert set(Product.objects.filter(code__in=["ims", "volte"]).values_list("code", flat=True))
    assert Product.objects.get(code="ims").name == "IP多媒体子系统"
    again = admin.post(f"/imports/{run_id}/confirm", {"skip_bad_rows": True})
    assert again.status_code == 409  # done: nothing to confirm

    listed = admin.get("/imports").json()
    assert [r["id"] for r in listed] == [run_id] and listed[0]["status"] == "done"


def test_an_xlsx_with_a_header_mapping_and_the_uploads_choice_kept(cast):
    admin = _admin(cast)
    content = _xlsx(
        [
            ["区域代码", "name", "name_en", "office", "service_manager"],
            ["riverside", "河畔", "Riverside", "江南代表处", "manager.a"],
            ["lakeshore", "湖岸", "Lakeshore", "江南代表处", "nobody.here"],
        ]
    )
    answer = _upload(
        admin, content, "regions.xlsx", "regions", mapping=["区域代码=code"], skip_bad_rows="true"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["preview"]["sources"]["code"] == "区域代码" and body["skip_bad_rows"] is True
    assert _work() == 1
    checked = admin.get(f"/imports/{body['id']}").json()
    assert [(p["row"], p["column"]) for p in checked["problems"]] == [(3, "service_manager")]
    # No body: the choice made at the upload (keep the good rows).
    assert admin.post(f"/imports/{body['id']}/confirm").status_code == 200
    assert _work() == 1
    assert admin.get(f"/imports/{body['id']}").json()["status"] == "done"
    river = Region.objects.get(code="riverside")
    assert (river.office, river.service_manager) == (cast.orgs.office, cast.a)
    assert not Region.objects.filter(code="lakeshore").exists()


def test_an_xlsx_of_people_with_every_row_good_imports_without_choosing(cast):
    admin = _admin(cast)
    content = _xlsx(
        [["用户名", "姓名", "角色", "组织"], ["new.one", "新人", "engineer", "江南代表处"]]
    )
    run_id = _upload(admin, content, "people.xlsx", "people").json()["id"]
    assert _work() == 1
    assert admin.get(f"/imports/{run_id}").json()["problems"] == []
    assert admin.post(f"/imports/{run_id}/confirm", {}).status_code == 200
    assert _work() == 1
    assert Person.objects.get(username="new.one").name == "新人"


@pytest.mark.parametrize(
    ("name", "content", "kind", "field"),
    [
        ("p.csv", b"code,name\nx,X\n", "spells", "kind"),
        ("p.csv", b"", "products", "file"),
        ("p.pdf", b"%PDF-1.4", "products", "file"),
        ("p.xlsx", b"not a zip at all", "products", "file"),
        ("p.csv", b"colour,size\nred,1\n", "products", "file"),  # no required column
    ],
)
def test_bad_uploads_answer_422_naming_the_field(cast, name, content, kind, field):
    answer = _upload(_admin(cast), content, name, kind)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["fields"]
    assert not ImportRun.objects.exists()


def test_a_file_over_the_limit_is_refused_and_nothing_kept(cast, monkeypatch):
    monkeypatch.setattr(import_runs, "MAX_BYTES", 20)
    answer = _upload(_admin(cast), PRODUCTS.encode(), "p.csv", "products")
    assert answer.status_code == 422 and "MB" in answer.json()["error"]["fields"]["file"]
    assert not ImportRun.objects.exists()


def test_a_bad_mapping_and_a_missing_file_are_field_errors(cast):
    admin = _admin(cast)
    bad = _upload(admin, PRODUCTS.encode(), "p.csv", "products", mapping=["no equals sign"])
    assert bad.status_code == 422 and "mapping" in bad.json()["error"]["fields"]
    missing = admin.client.post("/api/v1/imports", {"kind": "products"})
    assert missing.status_code == 422
    assert [k.split(".")[0] for k in missing.json()["error"]["fields"]] == ["file"]


def test_nobody_but_an_administrator_reaches_an_import(cast):
    run = import_runs.upload_import(
        actor=cast.admin,
        kind="products",
        file_name="p.csv",
        content=b"code,name\nims,IMS\n",
        mapping_lines=[],
    )
    for person in (cast.a, cast.b, cast.h, cast.y):
        client = ApiClient(person)
        upload = _upload(client, PRODUCTS.encode(), "p.csv", "products")
        assert upload.status_code == 403 and upload.json()["error"]["code"] == "forbidden"
        assert client.get("/imports").status_code == 403
        assert client.get(f"/imports/{run.pk}").status_code == 404
        assert client.post(f"/imports/{run.pk}/confirm").status_code == 404
    assert ImportRun.objects.count() == 1
    assert _admin(cast).get(f"/imports/{run.pk + 1000}").status_code == 404
