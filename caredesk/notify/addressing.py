"""Where a person is reached on a channel: their email, their phone through the SMS gateway,
or the group robot of their organisation (the nearest one up the hierarchy, then a global one).

A channel that is not set up for a person falls back to email, so a message is never lost to
a missing robot — and says so: the address keeps the channel that was asked for and what was
missing, the message records both, and the timeline and the message text show the detour.
A person with no email gets a message that fails visibly (dead letter)."""

from dataclasses import dataclass

from caredesk.directory import refdata
from caredesk.directory.models import Person

from .models import Endpoint, EndpointKind

ROBOT_CHANNELS = {
    "wecom": EndpointKind.WECOM,
    "dingtalk": EndpointKind.DINGTALK,
    "feishu": EndpointKind.FEISHU,
}


class Missing:
    """Why a channel could not be used for a person (kept on the message as its reason)."""

    ROBOT = "robot"  # no group robot for the person's organisation, nor a global one
    GATEWAY = "gateway"  # no SMS gateway
    PHONE = "phone"  # the person has no phone number


@dataclass(frozen=True)
class Address:
    channel: str
    address: str
    endpoint: Endpoint | None = None
    # Set when the asked-for channel could not be used: the channel asked for, and why not.
    requested: str = ""
    missing: str = ""

    @property
    def fell_back(self) -> bool:
        return bool(self.requested) and self.requested != self.channel

    @property
    def key(self) -> str:
        """Identifies the destination in idempotency keys: one group gets one post per event."""
        return (
            f"{self.channel}:ep{self.endpoint.pk}"
            if self.endpoint
            else f"{self.channel}:{self.address}"
        )


def _active_endpoints() -> dict[str, list[Endpoint]]:
    """The active endpoints by kind: reference data (they change a few times a year, and every
    escalation step reads them), held per process and dropped on any write (NotifyConfig)."""
    by_kind: dict[str, list[Endpoint]] = {}
    for e in Endpoint.objects.filter(active=True).order_by("pk"):
        by_kind.setdefault(e.kind, []).append(e)
    return by_kind


def endpoint_for(kind: str, organisation_id: int | None) -> Endpoint | None:
    """The active endpoint of `kind` nearest to the organisation: its own, a parent's, else a
    global one (no organisation)."""
    lineage = list(refdata.lineage(organisation_id)) if organisation_id is not None else []
    within = {*lineage, None}
    active = refdata.get("notify-endpoints", _active_endpoints).get(kind, ())
    candidates = [e for e in active if e.organisation_id in within]
    if not candidates:
        return None
    rank = {org_id: i for i, org_id in enumerate(lineage)}
    return min(candidates, key=lambda e: (rank.get(e.organisation_id, len(lineage)), e.pk))


def resolve(person: Person, channel: str) -> Address:
    """Where `person` is reached on `channel`, or by email when that channel is not set up
    for them (the Address then names the channel asked for and what was missing)."""
    missing = ""
    if channel in ROBOT_CHANNELS:
        endpoint = endpoint_for(ROBOT_CHANNELS[channel], person.organisation_id)
        if endpoint is not None:
            return Address(channel, endpoint.name, endpoint)
        missing = Missing.ROBOT
    elif channel == "sms":
        endpoint = endpoint_for(EndpointKind.WEBHOOK, person.organisation_id)
        if endpoint is not None and person.phone:
            return Address("sms", person.phone, endpoint)
        missing = Missing.GATEWAY if endpoint is None else Missing.PHONE
    if channel == "email" or not channel:
        return Address("email", person.email or "")
    return Address("email", person.email or "", requested=channel, missing=missing)
