"""Email through Django's mail backend (SMTP in deployments).

Each email carries its own `Message-ID` (stable per idempotency key, so a repeat after a crash
is recognisable), `In-Reply-To`/`References` pointing at its topic's thread id (mail clients
group a ticket's mails; replies find their ticket), the ticket number in the subject (the
templates put it there) and the key in `X-CareDesk-Idempotency-Key`. Files listed on the
message (a report pack's) are read and attached when it leaves; a file gone is a permanent
failure (it will not come back), seen in the dead letters."""

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, mailers

from .. import Outcome, Outgoing


class Session:
    """One mail connection for a batch of messages, opened on first use."""

    def __init__(self):
        self._connection = None

    def connection(self):
        if self._connection is None:
            self._connection = mailers.default
            self._connection.open()
        return self._connection

    def reset(self) -> None:
        if self._connection is not None:
            # A broken connection may fail to close; it is dropped either way.
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None

    close = reset


def send(out: Outgoing, session: Session) -> Outcome:
    if not out.address:
        return Outcome.failed("The recipient has no email address.", permanent=True)
    headers = {"Message-ID": out.message_id, "X-CareDesk-Idempotency-Key": out.key}
    if out.thread_id:
        headers.update({"In-Reply-To": out.thread_id, "References": out.thread_id})
    mail = EmailMessage(
        subject=out.subject,
        body=out.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[out.address],
        headers=headers,
    )
    for item in out.attachments:
        try:
            with open(item["path"], "rb") as handle:
                content = handle.read()
        except OSError as exc:
            return Outcome.failed(f"Attachment {item['filename']}: {exc}", permanent=True)
        mail.attach(item["filename"], content, item.get("content_type"))
    try:
        session.connection().send_messages([mail])
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome.failed(f"Recipient refused: {exc.recipients}", permanent=True)
    except smtplib.SMTPResponseException as exc:
        session.reset()
        detail = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        return Outcome.failed(detail, permanent=500 <= exc.smtp_code < 600)
    except (smtplib.SMTPException, OSError) as exc:
        session.reset()
        return Outcome.failed(f"{type(exc).__name__}: {exc}")
    return Outcome.sent()
