"""Inbound email: `manage.py fetchmail` against a real IMAP server (dovecot on loopback) and
from .eml files. Replies become comments, known contacts open tickets, strangers wait in
quarantine, attachments are kept, and no Message-ID is taken in twice."""

import io
from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from caredesk.inbound.models import InboundMail, Mailbox
from caredesk.notify import outbox
from caredesk.notify.models import Message
from caredesk.tickets.models import Ticket, TimelineEntry

from .imapserver import ImapServer, free_port


@pytest.fixture(scope="module")
def imap_server():
    server = ImapServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def mailbox(cast, imap_server, request):
    user = request.node.name[:60]  # each test reads its own, empty mailbox
    return Mailbox.objects.create(
        name="support",
        host="127.0.0.1",
        port=imap_server.port,
        security="plain",
        username=user,
        password="secret",
        default_product=cast.products.core,
        default_region=cast.regions.lakeside,
    )


def make_mail(sender, subject, body, *, message_id, headers=None, attachment=None) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = "support@caredesk.local"
    mail["Subject"] = subject
    mail["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    if attachment:
        filename, content = attachment
        mail.add_attachment(content.encode(), maintype="text", subtype="plain", filename=filename)
    return mail.as_bytes()


def fetch(*args) -> str:
    out = io.StringIO()
    call_command("fetchmail", *args, stdout=out)
    return out.getvalue()


def test_reply_with_ticket_number_becomes_public_comment_with_attachment(
    cast, open_request, imap_server, mailbox
):
    ticket = open_request()
    raw = make_mail(
        cast.y.email,
        f"Re: [#{ticket.number}] 已确认受理",
        "Still dropping at 10:05, log attached.\n\nOn Mon, engineer wrote:\n> old text",
        message_id="<reply-1@customer.example>",
        attachment=("drop.log", "10:05 call dropped\n"),
    )
    imap_server.append(mailbox.username, raw)
    assert "1 taken in" in fetch()
    entry = TimelineEntry.objects.get(ticket=ticket, kind="comment")
    assert entry.actor == cast.y and entry.public
    assert entry.body == "Still dropping at 10:05, log attached."  # quoted history cut off
    received = InboundMail.objects.get()
    assert received.outcome == "comment" and received.ticket == ticket and received.uid == 1
    (attachment,) = received.attachments.all()
    assert attachment.filename == "drop.log"
    assert attachment.file.read() == b"10:05 call dropped\n"


def test_reply_found_by_in_reply_to_of_our_mail(cast, open_request, imap_server, mailbox):
    ticket = open_request()
    ours = Message.objects.get(template="ticket_opened", recipient=cast.y).message_id
    ticket_mail = make_mail(
        f"Yang Yue <{cast.y.email.upper()}>",
        "Re: your request",  # no number: the thread headers find the ticket
        "谢谢，等你们消息。",
        message_id="<reply-2@customer.example>",
        headers={"In-Reply-To": ours, "References": outbox.thread_id(f"ticket:{ticket.pk}")},
    )
    imap_server.append(mailbox.username, ticket_mail)
    fetch()
    assert TimelineEntry.objects.get(ticket=ticket, kind="comment").body == "谢谢，等你们消息。"


def test_known_contact_opens_a_ticket_on_the_email_channel(cast, imap_server, mailbox):
    raw = make_mail(
        cast.y.email,
        "核心网告警风暴",
        "今天上午开始告警很多，请尽快处理。",
        message_id="<new-1@customer.example>",
    )
    imap_server.append(mailbox.username, raw)
    fetch()
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.requester, ticket.customer_org) == (
        "email",
        cast.y,
        cast.orgs.lakeside,
    )
    assert ticket.customer_voice == "今天上午开始告警很多，请尽快处理。"
    assert ticket.owner == cast.b  # routed by the matrix: core × Lakeside
    assert InboundMail.objects.get().outcome == "opened"


def test_unknown_sender_and_auto_reply_are_quarantined_never_dropped(cast, imap_server, mailbox):
    imap_server.append(
        mailbox.username,
        make_mail("stranger@example.com", "hello", "who?", message_id="<q-1@example.com>"),
    )
    imap_server.append(
        mailbox.username,
        make_mail(
            cast.y.email,
            "Out of office",
            "I am away.",
            message_id="<q-2@example.com>",
            headers={"Auto-Submitted": "auto-replied"},
        ),
    )
    fetch()
    held = {m.message_id: m.reason for m in InboundMail.objects.filter(outcome="quarantined")}
    assert set(held) == {"<q-1@example.com>", "<q-2@example.com>"}
    assert not Ticket.objects.exists()


def test_same_message_id_twice_is_taken_in_once(cast, open_request, imap_server, mailbox):
    ticket = open_request()
    raw = make_mail(
        cast.y.email, f"[#{ticket.number}]", "once", message_id="<dup-1@customer.example>"
    )
    imap_server.append(mailbox.username, raw)
    imap_server.append(mailbox.username, raw)  # the mail server delivered it twice
    assert "1 taken in, 1 duplicates ignored" in fetch()
    assert TimelineEntry.objects.filter(ticket=ticket, kind="comment").count() == 1


def test_polls_resume_after_the_last_uid_and_survive_a_new_uidvalidity(
    cast, open_request, imap_server, mailbox
):
    ticket = open_request()
    for i in range(2):
        imap_server.append(
            mailbox.username,
            make_mail(cast.y.email, f"[#{ticket.number}]", f"m{i}", message_id=f"<p{i}@c.example>"),
        )
    assert "2 taken in" in fetch()
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2 and mailbox.uidvalidity
    assert "0 taken in, 0 duplicates" in fetch()  # nothing new
    imap_server.append(
        mailbox.username,
        make_mail(cast.y.email, f"[#{ticket.number}]", "m2", message_id="<p2@c.example>"),
    )
    assert "1 taken in" in fetch()
    # The server renumbered the folder: start over; every mail is recognised by Message-ID.
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=mailbox.uidvalidity + 1)
    assert "0 taken in, 3 duplicates ignored" in fetch()
    assert TimelineEntry.objects.filter(ticket=ticket, kind="comment").count() == 3


def test_unreachable_mailbox_is_recorded_and_the_command_fails(cast, mailbox):
    Mailbox.objects.filter(pk=mailbox.pk).update(port=free_port())
    with pytest.raises(CommandError):
        fetch()
    assert Mailbox.objects.get(pk=mailbox.pk).last_error


def test_eml_files_are_taken_in_and_repeats_ignored(cast, open_request, tmp_path, mailbox):
    ticket = open_request()
    reply = tmp_path / "reply.eml"
    reply.write_bytes(
        make_mail(cast.x.email, f"Re: [#{ticket.number}]", "省公司已知悉。", message_id="<e1@x>")
    )
    new = tmp_path / "new.eml"
    new.write_bytes(make_mail(cast.z.email, "山城传输中断", "多条专线中断。", message_id="<e2@x>"))
    output = fetch("--eml", str(reply), str(new), str(reply))
    assert "duplicate" in output
    assert TimelineEntry.objects.get(ticket=ticket, kind="comment").actor == cast.x
    opened = Ticket.objects.exclude(pk=ticket.pk).get()
    assert opened.requester == cast.z and opened.channel == "email"


def test_refused_comment_waits_in_quarantine(cast, open_request, tmp_path, mailbox):
    ticket = open_request()
    eml = tmp_path / "other.eml"
    # customer.o belongs to another operator: she may not see this ticket.
    eml.write_bytes(make_mail(cast.o.email, f"[#{ticket.number}]", "hi", message_id="<e3@x>"))
    fetch("--eml", str(eml))
    held = InboundMail.objects.get()
    assert held.outcome == "quarantined" and held.ticket is None
    assert not TimelineEntry.objects.filter(ticket=ticket, kind="comment").exists()
