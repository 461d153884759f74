"""The import page: an administrator uploads a file, sees its first rows, then every bad row
the worker's check found; confirms; the worker imports it with its progress on the page. Nobody
else reaches any of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caredesk.audit.models import AuditRecord
from caredesk.directory.models import Person, Product
from caredesk.runtime import import_progress, import_runs
from caredesk.runtime.imports import kinds
from caredesk.runtime.models import ImportRun, ImportStatus

pytestmark = pytest.mark.django_db

PRODUCTS = "代码,名称\nims,IP多媒体子系统\n,无代码\nvolte,VoLTE\n"


def _session(person) -> Client:
    client = Client()
    client.force_login(person)
    client.cookies["django_language"] = "en"
    return client


def _upload(client, content: str, name="products.csv", kind="products", mapping=""):
    upload = SimpleUploadedFile(name, content.encode("gb18030"))
    return client.post("/imports/", {"kind": kind, "file": upload, "mapping": mapping})


def _work() -> int:
    return import_runs.work_imports(worker="test-worker")


def test_upload_check_confirm_and_import_through_the_worker(cast):
    admin = _session(cast.admin)
    answer = _upload(admin, PRODUCTS)
    run = ImportRun.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/imports/{run.pk}/"
    page = admin.get(f"/imports/{run.pk}/")
    assert page.status_code == 200
    assert [r[1] for r in page.context["preview_rows"]] == [
        ["ims", "IP多媒体子系统"],
        ["", "无代码"],
        ["volte", "VoLTE"],
    ]
    assert page.context["working"] and b'hx-trigger="every 2s"' in page.content
    assert not page.context["confirmable"]

    assert _work() == 1  # the check: a dry run, nothing kept
    run.refresh_from_db()
    assert (run.status, run.created, run.bad_rows) == (ImportStatus.CHECKED, 2, 1)
    assert run.problems == [[3, "code", "required"]] and not Product.objects.filter(code="ims")
    page = admin.get(f"/imports/{run.pk}/")
    assert page.context["confirmable"] and b"import-problem" in page.content
    assert b"hx-trigger" not in page.content

    refused = admin.post(f"/imports/{run.pk}/run/", follow=True)
    assert b"The check found bad rows" in refused.content
    assert ImportRun.objects.get().status == ImportStatus.CHECKED
    admin.post(f"/imports/{run.pk}/run/", {"skip_bad_rows": "on"})
    assert ImportRun.objects.get().status == ImportStatus.RUN
    assert _work() == 1 and _work() == 0
    run.refresh_from_db()
    assert (run.status, run.created, run.rows_done, run.content) == (
        ImportStatus.DONE,
        2,
        3,
        b"",
    )
    assert set(
        Product.objects.filter(code__in=["ims", "volte"]).values_list("code", flat=True)
    ) == {
        "ims",
        "volte",
    }
    fragment = admin.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true" and b"3 rows" in fragment.content
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"import.upload", "import.checked", "import.confirm", "import.done"} <= actions
    assert "product.create" in actions


def test_the_pages_speak_chinese(cast):
    admin = _session(cast.admin)
    admin.cookies["django_language"] = "zh-hans"
    page = admin.get("/imports/").content.decode()
    assert "从电子表格导入" in page and "历史工单" in page and "值班轮换" in page
    _upload(admin, PRODUCTS)
    run = ImportRun.objects.get()
    _work()
    page = admin.get(f"/imports/{run.pk}/").content.decode()
    assert "已检查" in page and "1 个问题" in page and "将新建" in page


def test_a_file_that_cannot_be_read_is_refused_on_the_form(cast):
    admin = _session(cast.admin)
    wrong = _upload(admin, "%PDF-1.4", name="x.pdf")
    assert wrong.status_code == 422 and "file" in wrong.context["form"].errors
    missing = _upload(admin, "编号,说明\n1,x\n")
    assert missing.status_code == 422
    assert "no column for code, name" in str(missing.context["form"].errors["file"])
    mapped = _upload(admin, "编号,说明\nims,IMS\n", mapping="oops")
    assert mapped.status_code == 422 and "mapping" in mapped.context["form"].errors
    good = _upload(admin, "编号,说明\nims,IMS\n", mapping="编号=code\n说明=name\n")
    assert good.status_code == 302
    assert ImportRun.objects.get().mapping == {"编号": "code", "说明": "name"}


def test_a_run_refused_as_a_whole_in_the_worker_is_marked_failed(cast):
    admin = _session(cast.admin)
    _upload(admin, PRODUCTS)
    run = ImportRun.objects.get()
    # No longer an administrator when the worker runs it.
    Person.objects.filter(pk=cast.admin.pk).update(role="engineer", is_superuser=False)
    _work()
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and "administrators" in run.error


@pytest.mark.django_db(transaction=True)
def test_progress_shows_while_the_import_transaction_is_still_open(cast, monkeypatch):
    monkeypatch.setattr(import_progress, "EVERY", 1)
    admin = _session(cast.admin)
    _upload(admin, "code,name\n" + "".join(f"p{i},产品{i}\n" for i in range(5)))
    run = ImportRun.objects.get()
    seen = []
    original = kinds.Products.apply

    def watching(self, row):
        # What the page would read now, from another request, mid-import.
        seen.append(import_progress.rows_done(ImportRun.objects.get(pk=run.pk)))
        return original(self, row)

    monkeypatch.setattr(kinds.Products, "apply", watching)
    _work()
    assert seen == [0, 1, 2, 3, 4]
    assert ImportRun.objects.get(pk=run.pk).rows_total == 5


def test_only_administrators_reach_the_import_pages(cast):
    _upload(_session(cast.admin), PRODUCTS)
    run = ImportRun.objects.get()
    for person in (cast.a, cast.b, cast.y, cast.d):
        s = _session(person)
        assert s.get("/imports/").status_code == 404
        assert _upload(s, PRODUCTS).status_code == 404
        assert s.get(f"/imports/{run.pk}/").status_code == 404
        assert s.get(f"/imports/{run.pk}/progress/").status_code == 404
        assert s.post(f"/imports/{run.pk}/run/").status_code == 404
    assert ImportRun.objects.count() == 1
