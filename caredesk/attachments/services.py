"""The one door for attachments: adding a file to an owner (an upload, or a mail's part)."""

import itertools
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from caredesk import clock
from caredesk.audit import services as audit
from caredesk.errors import PermissionDenied, ValidationFailed

from . import registry, sniff, storage
from .models import Attachment, Source


def _clean_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "attachment"


def add_attachment(
    *,
    actor,
    owner_kind: str,
    owner_id: int,
    filename: str,
    chunks: Iterable[bytes],
    size: int | None = None,
    source: str = Source.UPLOAD,
    internal: bool = False,
) -> Attachment:
    """Add one file to an owner the actor may see and add to.

    Refused, with nothing stored (no file, no row): an owner they may not see (NotFound), one
    they may not add to (403), a file over the deployment's size limit — told before reading
    when the size is known, and counted while writing when it is not — and a file whose
    content is not of an allowed type (the first bytes decide, not the name). An internal file
    goes only on an owner with internal parts, by one who reads them."""
    owner = registry.owner_for(owner_kind)
    obj = owner.find(actor, owner_id)
    if not owner.may_add(actor, obj):
        raise PermissionDenied()
    if internal and owner.sees_internal is None:
        message = _("This record has no internal part: its files are seen by all its readers.")
        raise ValidationFailed(message, fields={"internal": str(message)})
    if internal and not owner.reads_internal(actor):
        raise PermissionDenied(_("Internal files are added by staff."))
    limit = settings.ATTACHMENTS_MAX_BYTES
    too_large = ValidationFailed(
        _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)},
        fields={"file": str(_("Larger than %(limit)s.") % {"limit": filesizeformat(limit)})},
    )
    if size is not None and size > limit:
        raise too_large
    chunks = iter(chunks)
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= sniff.HEAD_BYTES:
            break
    kind, content_type = sniff.sniff(head[: sniff.HEAD_BYTES])
    if kind not in settings.ATTACHMENTS_ALLOWED:
        message = _("This type of file is not accepted (its content is: %(kind)s).") % {
            "kind": kind
        }
        raise ValidationFailed(message, fields={"file": str(message)})
    now = clock.now()
    try:
        stored_name, size, digest = storage.write(
            itertools.chain([head], chunks), limit=limit, when=now
        )
    except storage.TooLarge:
        raise too_large from None
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                owner_kind=owner_kind,
                owner_id=owner_id,
                filename=_clean_name(filename),
                kind=kind,
                content_type=content_type,
                size=size,
                sha256=digest,
                stored_name=stored_name,
                source=source,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                uploaded_at=now,
                internal=internal,
            )
            audit.record(
                actor=actor,
                action="attachment.added",
                obj=attachment,
                after={
                    "owner": f"{owner_kind}:{owner_id}",
                    "filename": attachment.filename,
                    "kind": kind,
                    "size": size,
                    "sha256": digest,
                    "source": source,
                    "internal": internal,
                },
            )
    except BaseException:
        storage.remove(stored_name)
        raise
    return attachment


def record_download(*, actor, attachment: Attachment) -> None:
    """Who read a file, in the audit log (reading is not a change, but files carry what
    customers sent: the office wants to know who opened them)."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="attachment.downloaded",
            obj=attachment,
            after={"owner": f"{attachment.owner_kind}:{attachment.owner_id}"},
        )
