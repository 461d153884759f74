"""Turning a received mail into ticket work — the one door for inbound email.

A reply (ticket number in the subject, or In-Reply-To/References naming one of our mails)
becomes a public comment by its sender; a mail from a known customer contact opens a ticket
on the channel "email"; anything else — an unknown sender, an automatic reply, a verb that
refuses — is kept in quarantine with its reason. Nothing is dropped. A Message-ID seen
before is a duplicate delivery and is ignored.
"""

import contextlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caredesk import clock
from caredesk.attachments import services as attachments
from caredesk.attachments.models import Source
from caredesk.audit import services as audit
from caredesk.directory.models import Person
from caredesk.errors import DomainError
from caredesk.notify import outbox
from caredesk.tickets import policy
from caredesk.tickets import services as tickets
from caredesk.tickets.models import Ticket

from .models import InboundMail, MailAttachment, Mailbox, Outcome
from .parsing import ParsedMail, new_text, parse


@dataclass(frozen=True)
class Decision:
    outcome: str
    ticket: Ticket | None = None
    reason: str = ""


def _thread_ticket(mail: ParsedMail) -> Ticket | None:
    if mail.ticket_number:
        found = Ticket.objects.filter(number=mail.ticket_number).first()
        if found:
            return found
    if not mail.reply_ids:
        return None
    topic = outbox.topic_of_reply(mail.reply_ids)
    if topic and topic.startswith("ticket:") and topic[7:].isdigit():
        return Ticket.objects.filter(pk=int(topic[7:])).first()
    earlier = InboundMail.objects.filter(message_id__in=mail.reply_ids, ticket__isnull=False)
    first = earlier.select_related("ticket").first()
    return first.ticket if first else None


def _sender(mail: ParsedMail) -> Person | None:
    if not mail.from_address:
        return None
    return (
        Person.objects.filter(email__iexact=mail.from_address, is_active=True)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )


def _act(mail: ParsedMail, person: Person | None, mailbox: Mailbox | None) -> Decision:
    """Do what the mail asks, or say why it waits in quarantine."""
    if mail.automatic:
        return Decision(Outcome.QUARANTINED, reason=_("Automatic reply."))
    if person is None:
        return Decision(Outcome.QUARANTINED, reason=_("Unknown sender."))
    ticket = _thread_ticket(mail)
    names = ", ".join(a.filename for a in mail.attachments)
    if ticket is not None:
        body = new_text(mail.text) or (f"[{names}]" if names else "")
        if not policy.can_view(person, ticket):
            return Decision(Outcome.QUARANTINED, reason=_("The sender cannot see this ticket."))
        tickets.add_comment(actor=person, ticket=ticket, body=body, public=True)
        return Decision(Outcome.COMMENT, ticket)
    if not person.is_customer:
        return Decision(Outcome.QUARANTINED, reason=_("Staff mail without a ticket number."))
    if mailbox is None or not (mailbox.default_product_id and mailbox.default_region_id):
        return Decision(
            Outcome.QUARANTINED, reason=_("The mailbox has no product and region for requests.")
        )
    opened = tickets.open_ticket(
        actor=person,
        customer_org=person.organisation,
        product=mailbox.default_product,
        region=mailbox.default_region,
        severity=mailbox.default_severity,
        channel="email",
        title=(mail.subject or _("(no subject)"))[:200],
        customer_voice=mail.text or mail.subject or names,
    )
    return Decision(Outcome.OPENED, opened)


@transaction.atomic
def receive(
    raw: bytes, *, mailbox: Mailbox | None = None, uid: int | None = None
) -> InboundMail | None:
    """Take in one mail. Returns its record, or None when this Message-ID was seen before."""
    mail = parse(raw)
    if InboundMail.objects.filter(message_id=mail.message_id).exists():
        return None
    person = _sender(mail)
    try:
        with transaction.atomic():  # a refused verb leaves no trace but the quarantine
            decision = _act(mail, person, mailbox)
    except DomainError as exc:
        decision = Decision(Outcome.QUARANTINED, reason=str(exc.message)[:300])
    record = InboundMail(
        message_id=mail.message_id,
        mailbox=mailbox,
        uid=uid,
        from_address=mail.from_address,
        from_name=mail.from_name,
        subject=mail.subject,
        in_reply_to=" ".join(mail.reply_ids),
        text=mail.text,
        received_at=clock.now(),
        outcome=decision.outcome,
        reason=decision.reason,
        sender=person,
        ticket=decision.ticket,
    )
    record.raw.save(f"{record.received_at:%d%H%M%S}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return None  # another poller stored the same Message-ID a moment ago
    for part in mail.attachments:
        attachment = MailAttachment(
            mail=record,
            filename=part.filename,
            content_type=part.content_type,
            size=len(part.content),
        )
        attachment.file.save(part.filename, ContentFile(part.content), save=True)
        if decision.ticket is not None:
            _attach_to_ticket(person, decision.ticket, part)
    audit.record(
        actor=person,
        action=f"mail.{decision.outcome}",
        obj=record,
        after={
            "message_id": mail.message_id,
            "from": mail.from_address,
            "ticket": decision.ticket.pk if decision.ticket else None,
            "reason": decision.reason,
            "attachments": [a.filename for a in mail.attachments],
        },
    )
    return record


def _attach_to_ticket(person: Person | None, ticket: Ticket, part) -> None:
    """A mail's part on its ticket's page, through the same checks as an upload; a part the
    deployment refuses (type, size) stays with the mail record only, for staff to look at."""
    with contextlib.suppress(DomainError):
        attachments.add_attachment(
            actor=person,
            owner_kind="ticket",
            owner_id=ticket.pk,
            filename=part.filename,
            chunks=[part.content],
            size=len(part.content),
            source=Source.MAIL,
        )


def record_poll(
    mailbox: Mailbox, *, uidvalidity: int | None, last_uid: int, error: str = ""
) -> None:
    """Where polling of a mailbox stands (bookkeeping, not a domain change: no audit)."""
    Mailbox.objects.filter(pk=mailbox.pk).update(
        uidvalidity=uidvalidity, last_uid=last_uid, last_polled_at=clock.now(), last_error=error
    )
    mailbox.uidvalidity, mailbox.last_uid, mailbox.last_error = uidvalidity, last_uid, error
