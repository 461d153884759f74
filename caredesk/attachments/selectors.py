"""Reading attachments: by owner, and one by id, both through the owner's own visibility."""

from django.db.models import QuerySet

from caredesk.errors import NotFound

from . import registry
from .models import Attachment


def attachments_of(person, owner_kind: str, owner_id: int) -> QuerySet[Attachment]:
    """The files on an owner the person may see (NotFound otherwise)."""
    registry.owner_for(owner_kind).find(person, owner_id)
    return files_on(owner_kind, owner_id)


def files_on(owner_kind: str, owner_id: int) -> QuerySet[Attachment]:
    """The files on an owner whose page has already checked its reader."""
    return Attachment.objects.filter(owner_kind=owner_kind, owner_id=owner_id).select_related(
        "uploaded_by"
    )


def attachment_for(person, attachment_id: int) -> tuple[Attachment, object]:
    """One file and its owner object, if the person may see the owner; NotFound otherwise."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    obj = registry.owner_for(attachment.owner_kind).find(person, attachment.owner_id)
    return attachment, obj
