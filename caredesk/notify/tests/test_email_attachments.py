"""Files listed on a message leave attached to its email (read when it is sent); a file gone by
then is a permanent failure with its name, not a mail without it."""

import datetime as dt

from caredesk import clock
from caredesk.notify.delivery import deliver_due
from caredesk.notify.models import Message

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def test_listed_files_arrive_attached(cast, smtp, queue, tmp_path):
    book = tmp_path / "报告.xlsx"
    book.write_bytes(b"PK\x03\x04 a workbook")
    files = [{"path": str(book), "filename": book.name, "content_type": "application/zip"}]
    with clock.frozen_at(T0):
        queue(cast.a, attachments=files)
        assert deliver_due(worker="w1", batch=10) == 1
    (_rcpt, mail), *_ = smtp.inbox.messages
    (part,) = list(mail.iter_attachments())
    assert part.get_filename() == "报告.xlsx"
    assert part.get_content() == b"PK\x03\x04 a workbook"
    assert "清理防尘网后温度正常" in mail.get_body(("plain",)).get_content()


def test_a_file_gone_is_a_dead_letter_naming_it(cast, smtp, queue, tmp_path):
    gone = [{"path": str(tmp_path / "gone.pptx"), "filename": "gone.pptx"}]
    with clock.frozen_at(T0):
        (message,) = queue(cast.a, attachments=gone)
        deliver_due(worker="w1", batch=10)
    message = Message.objects.get(pk=message.pk)
    assert message.state == "dead" and "gone.pptx" in message.last_error
    assert smtp.inbox.messages == []
