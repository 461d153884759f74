"""Reading attachments: by owner, and one by id, both through the owner's own visibility."""

from django.db.models import QuerySet

from caredesk.errors import NotFound

from . import registry
from .models import Attachment


def attachments_of(person, owner_kind: str, owner_id: int) -> QuerySet[Attachment]:
    """The files on an owner the person may see (NotFound otherwise)."""
    registry.owner_for(owner_kind).find(person, owner_id)
    return files_on(person, owner_kind, owner_id)


def files_on(person, owner_kind: str, owner_id: int) -> QuerySet[Attachment]:
    """The files on an owner whose page has already checked its reader: its internal ones only
    for a reader of the owner's internal parts."""
    return files_on_each(person, owner_kind, [owner_id])


def files_on_each(person, owner_kind: str, owner_ids: list[int]) -> QuerySet[Attachment]:
    """files_on for several owners of one kind at once (a ticket's visits), in one query."""
    files = Attachment.objects.filter(owner_kind=owner_kind, owner_id__in=owner_ids)
    if not registry.owner_for(owner_kind).reads_internal(person):
        files = files.filter(internal=False)
    return files.select_related("uploaded_by")


def attachment_for(person, attachment_id: int) -> tuple[Attachment, object]:
    """One file and its owner object, if the person may see the owner; NotFound otherwise."""
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    owner = registry.owner_for(attachment.owner_kind)
    obj = owner.find(person, attachment.owner_id)
    if attachment.internal and not owner.reads_internal(person):
        raise NotFound()
    return attachment, obj
