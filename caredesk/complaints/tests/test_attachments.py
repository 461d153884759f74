"""Attachments on complaints: whoever sees the complaint reads and adds its files; an internal
file (the investigation's evidence) is for staff, like the internal notes — a customer neither
sees it listed nor downloads it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caredesk.attachments.models import Attachment
from caredesk.attachments.tests.helpers import HTML, PNG, session, stored_files, upload, use_storage
from caredesk.audit.models import AuditRecord


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    return use_storage(settings, tmp_path)


def test_complainant_attaches_on_the_complaint_page_and_its_readers_download(cast, register):
    complaint = register()
    answer = upload(session(cast.y), "complaint", complaint.pk, "欠费短信.png", PNG)
    assert answer["Location"] == f"/complaints/{complaint.number}/#attachments"
    (f,) = Attachment.objects.filter(owner_kind="complaint", owner_id=complaint.pk)
    assert (f.kind, f.uploaded_by, f.internal) == ("png", cast.y, False)
    for reader in (cast.y, cast.x, cast.a, cast.h):
        assert (
            "欠费短信.png"
            in session(reader).get(f"/complaints/{complaint.number}/").content.decode()
        )
        download = session(reader).get(f"/files/{f.pk}/")
        assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
        assert download["Content-Disposition"].startswith("attachment;")
    preview = session(cast.a).get(f"/files/{f.pk}/preview/")
    assert preview.status_code == 200 and "sandbox" in preview["Content-Security-Policy"]
    audited = AuditRecord.objects.filter(object_type="Attachment", object_id=str(f.pk))
    assert audited.filter(action="attachment.added").count() == 1
    assert audited.filter(action="attachment.downloaded").count() == 4


def test_outsiders_get_not_found_on_the_complaints_files(cast, register):
    complaint = register()
    upload(session(cast.a), "complaint", complaint.pk, "录音.txt", "通话记录".encode())
    f = Attachment.objects.get()
    for outsider in (cast.o, cast.z, cast.d):
        client = session(outsider)
        assert client.get(f"/files/{f.pk}/").status_code == 404
        assert upload(client, "complaint", complaint.pk, "x.txt", b"x").status_code == 404
    assert Attachment.objects.count() == 1


def test_an_internal_file_is_for_staff_only(cast, register, api):
    complaint = register()
    staff_page = session(cast.a).get(f"/complaints/{complaint.number}/").content.decode()
    assert 'name="internal"' in staff_page
    upload(session(cast.a), "complaint", complaint.pk, "调查.txt", "内部".encode(), internal="on")
    upload(session(cast.a), "complaint", complaint.pk, "答复.txt", "公开".encode())
    internal, public = Attachment.objects.order_by("id")
    assert (internal.internal, public.internal) == (True, False)
    customer = session(cast.y)
    page = customer.get(f"/complaints/{complaint.number}/").content.decode()
    assert "答复.txt" in page and "调查.txt" not in page and 'name="internal"' not in page
    assert customer.get(f"/files/{internal.pk}/").status_code == 404
    assert customer.get(f"/files/{public.pk}/").status_code == 200
    listed = api(cast.y).get(f"/owners/complaint/{complaint.pk}/attachments").json()
    assert [a["id"] for a in listed] == [public.pk]
    assert api(cast.y).get(f"/attachments/{internal.pk}").status_code == 404
    staff_list = api(cast.b).get(f"/owners/complaint/{complaint.pk}/attachments").json()
    assert [a["internal"] for a in staff_list] == [True, False]
    refused = api(cast.y).client.post(
        f"/api/v1/owners/complaint/{complaint.pk}/attachments",
        {"file": SimpleUploadedFile("mine.txt", b"words"), "internal": "true"},
    )
    assert refused.status_code == 403
    assert Attachment.objects.count() == 2


def test_api_upload_refuses_html_claiming_to_be_png_by_its_content(
    cast, register, api, storage_dir
):
    complaint = register()
    client = api(cast.y).client
    refused = client.post(
        f"/api/v1/owners/complaint/{complaint.pk}/attachments",
        {"file": SimpleUploadedFile("截图.png", HTML)},
    )
    assert refused.status_code == 422 and refused.json()["error"]["fields"]["file"]
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []
    made = client.post(
        f"/api/v1/owners/complaint/{complaint.pk}/attachments",
        {"file": SimpleUploadedFile("截图.png", PNG)},
    )
    assert made.status_code == 201 and made.json()["owner_kind"] == "complaint"
    assert api(cast.o).get(f"/owners/complaint/{complaint.pk}/attachments").status_code == 404


def test_the_internal_choice_reads_in_chinese(cast, register):
    complaint = register()
    upload(session(cast.a), "complaint", complaint.pk, "调查.txt", "内部".encode(), internal="on")
    staff = session(cast.a)
    staff.cookies["django_language"] = "zh-hans"
    page = staff.get(f"/complaints/{complaint.number}/").content.decode()
    assert "内部（仅员工可见）" in page and "调查.txt" in page
