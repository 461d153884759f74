"""Where a person is reached on a channel: their email, their phone through the SMS gateway,
or the group robot of their organisation (the nearest one up the hierarchy, then a global one).

A channel that is not set up for a person falls back to email, so a message is never lost to
a missing robot; a person with no email gets a message that fails visibly (dead letter)."""

from dataclasses import dataclass

from django.db.models import Q

from caredesk.directory import refdata
from caredesk.directory.models import Person

from .models import Endpoint, EndpointKind

ROBOT_CHANNELS = {
    "wecom": EndpointKind.WECOM,
    "dingtalk": EndpointKind.DINGTALK,
    "feishu": EndpointKind.FEISHU,
}


@dataclass(frozen=True)
class Address:
    channel: str
    address: str
    endpoint: Endpoint | None = None

    @property
    def key(self) -> str:
        """Identifies the destination in idempotency keys: one group gets one post per event."""
        return (
            f"{self.channel}:ep{self.endpoint.pk}"
            if self.endpoint
            else f"{self.channel}:{self.address}"
        )


def endpoint_for(kind: str, organisation_id: int | None) -> Endpoint | None:
    """The active endpoint of `kind` nearest to the organisation: its own, a parent's, else a
    global one (no organisation)."""
    lineage = list(refdata.lineage(organisation_id)) if organisation_id is not None else []
    candidates = list(
        Endpoint.objects.filter(kind=kind, active=True).filter(
            Q(organisation_id__in=lineage) | Q(organisation__isnull=True)
        )
    )
    if not candidates:
        return None
    rank = {org_id: i for i, org_id in enumerate(lineage)}
    return min(candidates, key=lambda e: (rank.get(e.organisation_id, len(lineage)), e.pk))


def resolve(person: Person, channel: str) -> Address:
    if channel in ROBOT_CHANNELS:
        endpoint = endpoint_for(ROBOT_CHANNELS[channel], person.organisation_id)
        if endpoint is not None:
            return Address(channel, endpoint.name, endpoint)
    elif channel == "sms" and person.phone:
        endpoint = endpoint_for(EndpointKind.WEBHOOK, person.organisation_id)
        if endpoint is not None:
            return Address("sms", person.phone, endpoint)
    return Address("email", person.email or "")
