"""Email leaves through a real SMTP server (aiosmtpd on loopback) and reads right there:
ticket number in the subject, threading headers, idempotency key, the recipient's language."""

import datetime as dt

from caredesk import clock
from caredesk.notify import outbox
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def test_mail_reaches_smtp_server_threaded_with_ticket_number(cast, smtp, queue):
    with clock.frozen_at(T0):
        (message,) = queue(cast.y)
        assert deliver_due(worker="w1", batch=10) == 1
    (rcpt, mail), *_ = smtp.inbox.messages
    assert rcpt == [cast.y.email]
    assert "[#CD-2026-000042]" in mail["Subject"]
    assert "已解决" in mail["Subject"]  # customer.y reads Chinese
    assert mail["Message-ID"] == message.message_id
    assert mail["In-Reply-To"] == outbox.thread_id("ticket:42")
    assert mail["References"] == outbox.thread_id("ticket:42")
    assert mail["X-CareDesk-Idempotency-Key"] == message.idempotency_key
    assert "清理防尘网后温度正常" in mail.get_content()
    sent = Message.objects.get(pk=message.pk)
    assert sent.state == "sent" and sent.sent_at == T0 and sent.attempt == 1
    assert sent.subject == str(mail["Subject"])


def test_english_reader_gets_english_mail(cast, smtp, queue):
    queue(cast.o)  # Olivia Ng chose English
    deliver_due(worker="w1", batch=10)
    (_, mail), *_ = smtp.inbox.messages
    assert mail["Subject"].startswith("[#CD-2026-000042] Resolved:")
    assert "How it was solved" in mail.get_content()


def test_smtp_down_then_up_delivers_each_mail_once(cast, smtp_port, queue):
    from .conftest import SmtpServer

    with clock.frozen_at(T0):
        queued = queue(cast.y, n=3) + queue(cast.x, n=2)
        assert deliver_due(worker="w1", batch=10) == 5
    waiting = list(Message.objects.all())
    assert all(m.state == "pending" and m.attempt == 1 for m in waiting)
    assert all("Connection refused" in m.last_error or "Errno" in m.last_error for m in waiting)
    assert all(m.next_attempt_at > T0 for m in waiting)
    server = SmtpServer(smtp_port).start()
    try:
        with clock.frozen_at(max(m.next_attempt_at for m in waiting)):
            assert deliver_due(worker="w2", batch=10) == 5
            assert deliver_due(worker="w2", batch=10) == 0
    finally:
        server.stop()
    ids = [str(mail["Message-ID"]) for _, mail in server.inbox.messages]
    assert sorted(ids) == sorted(m.message_id for m in queued)
    assert Message.objects.filter(state="sent").count() == 5


def test_refused_address_is_dead_at_once(cast, smtp, queue):
    smtp.inbox.refuse.add(cast.y.email)
    (message,) = queue(cast.y)
    deliver_due(worker="w1", batch=10)
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == "dead"
    assert dead.attempt == 1
    assert "refused" in dead.last_error.lower()
    assert smtp.inbox.messages == []


def test_person_without_email_fails_visibly(cast, smtp, queue):
    cast.y.email = ""
    cast.y.save()
    (message,) = queue(cast.y)
    deliver_due(worker="w1", batch=10)
    dead = Message.objects.get(pk=message.pk)
    assert dead.state == "dead"
    assert "no email address" in dead.last_error
