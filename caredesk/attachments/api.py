"""Attachments over the API: list and upload (multipart, field `file`) on an owner, and the
file itself with the same headers as the pages'."""

from datetime import datetime
from typing import Literal

from ninja import File, Form, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile

from caredesk.apikit import IdParam, error_responses

from . import selectors, services
from .views import file_response

router = Router(tags=["attachments"])

# The kinds registered with caredesk.attachments.registry (a test keeps the two in step).
OwnerKind = Literal["ticket", "complaint", "change", "visit"]


class AttachmentOut(Schema):
    id: int
    owner_kind: str
    owner_id: int
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    source: str
    uploaded_at: datetime
    internal: bool


@router.get(
    "/owners/{owner_kind}/{owner_id}/attachments",
    response={200: list[AttachmentOut], **error_responses(404)},
)
def list_attachments(request, owner_kind: OwnerKind, owner_id: IdParam):
    return list(selectors.attachments_of(request.auth, owner_kind, owner_id))


@router.post(
    "/owners/{owner_kind}/{owner_id}/attachments",
    response={201: AttachmentOut, **error_responses(403, 404, 413)},
)
def upload_attachment(
    request,
    owner_kind: OwnerKind,
    owner_id: IdParam,
    file: File[UploadedFile],
    internal: Form[bool] = False,
):
    attachment = services.add_attachment(
        actor=request.auth,
        owner_kind=owner_kind,
        owner_id=owner_id,
        filename=file.name or "",
        chunks=file.chunks(),
        size=file.size,
        internal=internal,
    )
    return Answer(201, attachment)


@router.get(
    "/attachments/{attachment_id}",
    response={200: None, **error_responses(404)},
    openapi_extra={
        # keyed like Ninja's own responses (an int), so the two merge into one "200"
        "responses": {
            200: {
                "description": "The file, as an attachment (never rendered).",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def download_attachment(request, attachment_id: IdParam):
    attachment, _owner = selectors.attachment_for(request.auth, attachment_id)
    services.record_download(actor=request.auth, attachment=attachment)
    return file_response(attachment)
