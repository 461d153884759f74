"""Attachment pages: upload from an owner's page, download, and an image's inline preview.

Every answer passes the owner's own visibility check (404 for what the reader may not see).
Downloads are always `attachment` with nosniff; only a sniffed raster image is ever served
inline, and then under a CSP sandbox."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from caredesk.errors import DomainError, NotFound

from . import registry, selectors, services, storage
from .models import RASTER_KINDS

PREVIEW_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def card(owner_kind: str, owner_id: int, *, reader) -> dict:
    """The attachments card of an owner's page, which has checked its reader already (its
    template: attachments/_card.html); it offers to mark a file internal to a reader of the
    owner's internal parts."""
    return cards(owner_kind, [owner_id], reader=reader)[owner_id]


def cards(owner_kind: str, owner_ids: list[int], *, reader) -> dict[int, dict]:
    """card() for several owners of one kind shown on one page, by owner id."""
    internal_allowed = registry.owner_for(owner_kind).reads_internal(reader)
    found = {
        pk: {"kind": owner_kind, "owner_id": pk, "files": [], "internal_allowed": internal_allowed}
        for pk in owner_ids
    }
    for f in selectors.files_on_each(reader, owner_kind, owner_ids):
        found[f.owner_id]["files"].append(f)
    return found


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


@login_required
@require_POST
def upload(request, owner_kind, owner_id):
    try:
        owner = registry.owner_for(owner_kind)
        obj = owner.find(request.user, owner_id)
    except NotFound:
        return _not_found(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.add_attachment(
                actor=request.user,
                owner_kind=owner_kind,
                owner_id=owner_id,
                filename=upload.name,
                chunks=upload.chunks(),
                size=upload.size,
                internal=request.POST.get("internal") == "on",
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": upload.name})
    return HttpResponseRedirect(owner.page_url(obj) + "#attachments")


def file_response(attachment, *, inline: bool = False) -> FileResponse:
    """The file's bytes with the headers that keep a browser from running them."""
    handle = open(storage.path_of(attachment.stored_name), "rb")  # noqa: SIM115 (FileResponse closes it)
    safe_type = (
        attachment.content_type
        if attachment.kind in RASTER_KINDS or attachment.kind in ("pdf", "zip")
        else "text/plain; charset=utf-8"
        if attachment.kind == "text"
        else "application/octet-stream"
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=safe_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        response["Content-Security-Policy"] = PREVIEW_CSP
    return response


@login_required
def download(request, attachment_id):
    try:
        attachment, _owner = selectors.attachment_for(request.user, attachment_id)
    except NotFound:
        return _not_found(request)
    services.record_download(actor=request.user, attachment=attachment)
    return file_response(attachment)


@login_required
def preview(request, attachment_id):
    try:
        attachment, _owner = selectors.attachment_for(request.user, attachment_id)
    except NotFound:
        return _not_found(request)
    if not attachment.is_image:
        return _not_found(request)
    return file_response(attachment, inline=True)
