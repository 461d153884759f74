"""Real servers for delivery tests: the vendors' stand-in receiver and an SMTP server
(aiosmtpd), both on loopback ports, both stopped when the test ends."""

import email
import email.policy

import pytest
from aiosmtpd.controller import Controller

from caredesk.notify.models import Endpoint

from .receivers import Receiver, free_port


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def robot(db, receiver):
    """robot("dingtalk", organisation=…, secret=…, rate=…): an endpoint at the receiver."""
    urls = {
        "wecom": receiver.wecom_url,
        "dingtalk": receiver.dingtalk_url,
        "feishu": receiver.feishu_url,
        "webhook": receiver.webhook_url,
    }

    def make(kind, *, organisation=None, secret=None, rate=20, **extra):
        return Endpoint.objects.create(
            name=f"{kind} robot",
            kind=kind,
            organisation=organisation,
            url=urls[kind],
            secret=receiver.secret if secret is None else secret,
            rate_per_minute=rate,
            **extra,
        )

    return make


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; refuses addresses in `refuse`."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int):
        self.port = port
        self.inbox = Inbox()
        self._controller = None

    def start(self):
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_port(settings):
    """Mail goes by SMTP to a loopback port (nothing may listen there yet)."""
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port


@pytest.fixture
def smtp(smtp_port):
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


CONTEXT = {
    "number": "CD-2026-000042",
    "title": "传输设备持续高温告警",
    "text": "清理防尘网后温度正常。",
    "owner_name": "赵东",
    "owner_phone": "139-0000-0004",
    "url": "http://127.0.0.1:8000/t/CD-2026-000042/",
}


@pytest.fixture
def queue(db):
    """queue(person, channel, n=1, key="…") → the Messages queued, as a ticket event would."""
    from django.db import transaction

    from caredesk.notify import outbox

    def make(person, channel="email", *, n=1, key="m", template="ticket_resolved", **kw):
        made = []
        with transaction.atomic():
            for i in range(n):
                made.append(
                    outbox.enqueue(
                        channel=channel,
                        recipient=person,
                        template=template,
                        key=f"{key}:{i}:{channel}:{person.pk}",
                        context=CONTEXT,
                        topic="ticket:42",
                        **kw,
                    )
                )
        return made

    return make
