"""Attachments on change requests and site visits: a change's files are read and added by
whoever sees the change, a visit's by whoever sees the visit (its ticket's readers) — the
customer adds a photo beside the report they confirm on the portal. Neither has internal files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caredesk.attachments.models import Attachment
from caredesk.attachments.tests.helpers import HTML, PNG, session, stored_files, upload, use_storage
from caredesk.audit.models import AuditRecord
from caredesk.fieldwork.visits import services as visit_services


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    return use_storage(settings, tmp_path)


def test_change_files_are_added_on_its_page_and_read_by_whoever_sees_the_change(cast, make_change):
    change = make_change(submit=True)
    answer = upload(session(cast.b), "change", change.pk, "割接方案.pdf", b"%PDF-1.7\n...")
    assert answer["Location"] == f"/changes/{change.pk}/#attachments"
    (f,) = Attachment.objects.filter(owner_kind="change", owner_id=change.pk)
    assert f.kind == "pdf"
    for reader in (cast.y, cast.x, cast.d, cast.a, cast.p):
        page = session(reader).get(f"/changes/{change.pk}/").content.decode()
        assert "割接方案.pdf" in page and 'name="internal"' not in page
        download = session(reader).get(f"/files/{f.pk}/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    for outsider in (cast.o, cast.z):
        assert session(outsider).get(f"/files/{f.pk}/").status_code == 404
        assert upload(session(outsider), "change", change.pk, "x.txt", b"x").status_code == 404
    assert Attachment.objects.count() == 1


def test_change_api_upload_download_and_a_type_refused_by_content(
    cast, make_change, api, storage_dir
):
    change = make_change()
    client = api(cast.d).client  # the executor, a partner engineer
    made = client.post(
        f"/api/v1/owners/change/{change.pk}/attachments",
        {"file": SimpleUploadedFile("backup.zip", b"PK\x03\x04" + b"\x00" * 40)},
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["owner_kind"], body["kind"], body["internal"]) == ("change", "zip", False)
    assert api(cast.y).get(f"/attachments/{body['id']}").status_code == 200
    assert api(cast.o).get(f"/attachments/{body['id']}").status_code == 404
    assert api(cast.o).get(f"/owners/change/{change.pk}/attachments").status_code == 404
    refused = client.post(
        f"/api/v1/owners/change/{change.pk}/attachments",
        {"file": SimpleUploadedFile("plan.pdf", HTML)},
    )
    assert refused.status_code == 422 and refused.json()["error"]["fields"]["file"]
    internal = client.post(
        f"/api/v1/owners/change/{change.pk}/attachments",
        {"file": SimpleUploadedFile("n.txt", b"words"), "internal": "true"},
    )
    assert internal.status_code == 422 and internal.json()["error"]["fields"]["internal"]
    assert Attachment.objects.count() == 1 and len(stored_files(storage_dir)) == 1


def test_customer_attaches_beside_the_visit_report_and_the_engineer_reads_it(cast, on_site):
    visit = on_site()
    visit_services.leave_site(actor=cast.b, visit=visit, result="resolved", work_done="更换尾纤")
    number = visit.ticket.number
    portal = session(cast.y).get(f"/t/{number}/").content.decode()
    assert "attachments-inline" in portal
    assert f"/files/visit/{visit.pk}/upload/" in portal
    answer = upload(
        session(cast.y), "visit", visit.pk, "机房照片.jpg", b"\xff\xd8\xff\xe0" + b"0" * 40
    )
    # the visit page sends a customer on to the report on the ticket page
    assert answer["Location"] == f"/visits/{visit.pk}/#attachments"
    (f,) = Attachment.objects.filter(owner_kind="visit", owner_id=visit.pk)
    assert "机房照片.jpg" in session(cast.y).get(f"/t/{number}/").content.decode()
    assert "机房照片.jpg" in session(cast.b).get(f"/visits/{visit.pk}/").content.decode()
    download = session(cast.b).get(f"/files/{f.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    for outsider in (cast.o, cast.z, cast.d):
        assert session(outsider).get(f"/files/{f.pk}/").status_code == 404
        assert upload(session(outsider), "visit", visit.pk, "x.txt", b"x").status_code == 404
    assert (
        AuditRecord.objects.filter(object_type="Attachment", action="attachment.added").count() == 1
    )


def test_visit_api_upload_list_and_a_type_refused_by_content(cast, on_site, api, storage_dir):
    visit = on_site()
    client = api(cast.b).client
    refused = client.post(
        f"/api/v1/owners/visit/{visit.pk}/attachments",
        {"file": SimpleUploadedFile("photo.png", HTML)},
    )
    assert refused.status_code == 422
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []
    made = client.post(
        f"/api/v1/owners/visit/{visit.pk}/attachments",
        {"file": SimpleUploadedFile("photo.png", PNG)},
    )
    assert made.status_code == 201
    listed = api(cast.y).get(f"/owners/visit/{visit.pk}/attachments").json()
    assert [a["filename"] for a in listed] == ["photo.png"]
    assert api(cast.o).get(f"/owners/visit/{visit.pk}/attachments").status_code == 404
    assert api(cast.o).get(f"/attachments/{made.json()['id']}").status_code == 404
