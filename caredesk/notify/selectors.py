"""Reads over the outbox shared by pages: what could not go the way it was asked to."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max

from caredesk import clock

from .models import Message

RECENT = dt.timedelta(days=30)


@dataclass(frozen=True)
class MissingEndpoint:
    """A channel asked for but not set up for an organisation's people: how many messages
    fell back to email because of it, and when the last one did."""

    channel: str
    reason: str  # addressing.Missing: robot, gateway or phone
    organisation: str
    messages: int
    last_at: dt.datetime


def missing_endpoints(now: dt.datetime | None = None) -> list[MissingEndpoint]:
    """Per channel asked for, reason and the recipients' organisation, over the last 30 days,
    the most frequent first."""
    since = (now or clock.now()) - RECENT
    rows = (
        Message.objects.filter(created_at__gte=since)
        .exclude(requested_channel="")
        .values("requested_channel", "fallback_reason", "recipient__organisation__name")
        .annotate(n=Count("id"), last=Max("created_at"))
        .order_by("-n", "requested_channel")
    )
    found: dict[tuple[str, str, str], list] = {}
    for r in rows:
        asked = r["requested_channel"].split(",")
        why = r["fallback_reason"].split(",")
        for channel, reason in zip(asked, why + [""] * (len(asked) - len(why)), strict=False):
            key = (channel, reason, r["recipient__organisation__name"] or "")
            count, last = found.get(key, (0, r["last"]))
            found[key] = [count + r["n"], max(last, r["last"])]
    return sorted(
        (MissingEndpoint(c, why, org, n, last) for (c, why, org), (n, last) in found.items()),
        key=lambda m: (-m.messages, m.channel, m.organisation),
    )
