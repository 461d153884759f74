"""Attachments on tickets: uploaded from the portal, the staff page and the API, checked by
content and size, stored outside the web root, served only to those who see the ticket and
never rendered; a mail's attachments appear on its ticket."""

from email.message import EmailMessage

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caredesk.attachments.models import Attachment
from caredesk.audit.models import AuditRecord
from caredesk.inbound import services as inbound

from .helpers import HTML, PNG, stored_files, upload, use_storage
from .helpers import session as _session


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    return use_storage(settings, tmp_path)


def _upload(client, ticket, name, content):
    return upload(client, "ticket", ticket.pk, name, content)


def test_customer_uploads_on_the_portal_and_the_owner_downloads_it(cast, open_request):
    ticket = open_request()
    answer = _upload(_session(cast.y), ticket, "alarm.png", PNG)
    assert answer.status_code == 302 and answer["Location"].endswith("#attachments")
    (attachment,) = Attachment.objects.filter(owner_kind="ticket", owner_id=ticket.pk)
    assert (attachment.kind, attachment.uploaded_by) == ("png", cast.y)
    page = _session(cast.b).get(f"/t/{ticket.number}/")
    assert "alarm.png" in page.content.decode()
    download = _session(cast.b).get(f"/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "image/png"
    actions = set(
        AuditRecord.objects.filter(object_type="Attachment").values_list("action", flat=True)
    )
    assert actions == {"attachment.added", "attachment.downloaded"}


def test_another_organisations_customer_and_a_stranger_partner_get_not_found(cast, open_request):
    ticket = open_request()
    _upload(_session(cast.b), ticket, "trace.txt", "信令跟踪 10:05\n".encode())
    attachment = Attachment.objects.get()
    outsider_partner = cast.d  # nothing handed to him
    for outsider in (cast.o, outsider_partner, cast.z):
        client = _session(outsider)
        assert client.get(f"/files/{attachment.pk}/").status_code == 404
        assert _upload(client, ticket, "x.txt", b"hello").status_code == 404
    assert Attachment.objects.count() == 1


def test_file_claiming_to_be_png_but_holding_html_is_refused(cast, open_request, storage_dir):
    ticket = open_request()
    customer = _session(cast.y)
    answer = _upload(customer, ticket, "screenshot.png", HTML)
    assert answer.status_code == 302
    page = customer.get(answer["Location"].split("#")[0])
    assert "not accepted" in page.content.decode()
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


def test_oversized_file_is_refused_with_a_clear_error_and_nothing_stored(
    cast, open_request, settings, storage_dir
):
    settings.ATTACHMENTS_MAX_BYTES = 1000
    ticket = open_request()
    staff = _session(cast.b)
    answer = _upload(staff, ticket, "big.log", b"a" * 1001)
    page = staff.get(answer["Location"].split("#")[0])
    assert "larger than the limit of 1000" in page.content.decode()
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []
    assert not AuditRecord.objects.filter(object_type="Attachment").exists()


def test_size_unknown_in_advance_is_counted_while_writing_and_the_partial_file_removed(
    cast, open_request, settings, storage_dir
):
    from caredesk.attachments import services
    from caredesk.errors import ValidationFailed

    settings.ATTACHMENTS_MAX_BYTES = 1000
    ticket = open_request()
    with pytest.raises(ValidationFailed):
        services.add_attachment(
            actor=cast.b,
            owner_kind="ticket",
            owner_id=ticket.pk,
            filename="stream.log",
            chunks=iter([b"a" * 600, b"b" * 600]),
        )
    assert not Attachment.objects.exists() and stored_files(storage_dir) == []


def test_api_multipart_upload_list_and_download(cast, open_request, api, storage_dir):
    ticket = open_request()
    client = api(cast.y).client
    answer = client.post(
        f"/api/v1/owners/ticket/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("site.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 40)},
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["filename"], body["kind"], body["source"]) == ("site.jpg", "jpeg", "upload")
    listed = api(cast.b).get(f"/owners/ticket/{ticket.pk}/attachments").json()
    assert [a["id"] for a in listed] == [body["id"]]
    download = api(cast.b).get(f"/attachments/{body['id']}")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert api(cast.o).get(f"/attachments/{body['id']}").status_code == 404
    refused = client.post(
        f"/api/v1/owners/ticket/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("fake.png", HTML)},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["file"]
    assert Attachment.objects.count() == 1 and len(stored_files(storage_dir)) == 1


def test_only_a_sniffed_raster_image_is_previewed_inline_in_a_sandbox(cast, open_request):
    ticket = open_request()
    staff = _session(cast.b)
    _upload(staff, ticket, "alarm.png", PNG)
    _upload(staff, ticket, "notes.txt", b"plain words")
    image, text = Attachment.objects.order_by("id")
    preview = staff.get(f"/files/{image.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    assert "sandbox" in preview["Content-Security-Policy"]
    assert not preview["Content-Disposition"].startswith("attachment")
    assert staff.get(f"/files/{text.pk}/preview/").status_code == 404
    download = staff.get(f"/files/{text.pk}/")
    assert download["Content-Type"] == "text/plain; charset=utf-8"


def test_inbound_mail_attachment_appears_on_the_ticket_page(cast, open_request):
    ticket = open_request()
    mail = EmailMessage()
    mail["From"] = cast.y.email
    mail["To"] = "support@caredesk.local"
    mail["Subject"] = f"Re: [#{ticket.number}] 截图"
    mail["Message-ID"] = "<shot-1@customer.example>"
    mail.set_content("截图见附件")
    mail.add_attachment(PNG, maintype="image", subtype="png", filename="告警截图.png")
    mail.add_attachment(HTML, maintype="text", subtype="html", filename="page.html")
    inbound.receive(mail.as_bytes())
    (attachment,) = Attachment.objects.filter(owner_kind="ticket", owner_id=ticket.pk)
    assert (attachment.filename, attachment.source, attachment.uploaded_by) == (
        "告警截图.png",
        "mail",
        cast.y,
    )
    for reader in (cast.y, cast.b):
        page = _session(reader).get(f"/t/{ticket.number}/").content.decode()
        assert "告警截图.png" in page and "by email" in page
        assert "page.html" not in page  # refused by content: kept with the mail record only


def test_the_api_names_exactly_the_registered_owner_kinds():
    from typing import get_args

    from caredesk.attachments import registry
    from caredesk.attachments.api import OwnerKind

    assert sorted(get_args(OwnerKind)) == registry.kinds()


def test_a_ticket_has_no_internal_files(cast, open_request, api):
    ticket = open_request()
    answer = api(cast.b).client.post(
        f"/api/v1/owners/ticket/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("n.txt", b"words"), "internal": "true"},
    )
    assert answer.status_code == 422 and answer.json()["error"]["fields"]["internal"]
    assert not Attachment.objects.exists()
