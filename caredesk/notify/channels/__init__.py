"""Channel adapters: one folder per channel, each turning a rendered message into the
vendor's request and the vendor's answer into an Outcome.

An adapter never raises for a delivery problem: it says whether to retry, give up at once
(`permanent`: a wrong secret or address will not fix itself) or wait (`retry_after`: the
receiver throttles us). Nothing here touches the database; delivery.py records outcomes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str = ""
    permanent: bool = False
    retry_after: float | None = None  # seconds; set when the receiver asked us to slow down

    @classmethod
    def sent(cls, detail: str = "") -> "Outcome":
        return cls(True, detail)

    @classmethod
    def failed(cls, detail: str, *, permanent: bool = False) -> "Outcome":
        return cls(False, detail[:2000], permanent=permanent)

    @classmethod
    def throttled(cls, detail: str, seconds: float) -> "Outcome":
        return cls(False, detail[:2000], retry_after=seconds)


@dataclass(frozen=True)
class Outgoing:
    """A message ready to leave: what the adapters need, nothing about tickets."""

    key: str
    channel: str
    address: str
    template: str
    language: str
    subject: str
    body: str
    context: dict
    message_id: str = ""
    thread_id: str = ""
    url: str = ""
    secret: str = ""
    options: dict | None = None
    # Email only: files to attach, {"path", "filename", "content_type"} each.
    attachments: tuple[dict, ...] = ()
