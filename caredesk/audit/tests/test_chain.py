"""The audit chain: every change is recorded, and tampering is detected."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caredesk.audit.models import AuditRecord
from caredesk.audit.services import verify_chain
from caredesk.tickets import services


@pytest.fixture
def history(cast, open_request):
    ticket = open_request()
    services.acknowledge(actor=cast.b, ticket=ticket)
    services.add_comment(actor=cast.b, ticket=ticket, body="On it")
    services.resolve(actor=cast.b, ticket=ticket, note="Fixed")
    return ticket


def test_each_verb_appends_a_linked_record(history):
    records = list(AuditRecord.objects.order_by("seq"))
    assert [r.action for r in records] == [
        "ticket.open",
        "ticket.acknowledge",
        "ticket.comment",
        "ticket.resolve",
    ]
    assert records[0].prev_hash == ""
    for prev, rec in zip(records, records[1:], strict=False):
        assert rec.prev_hash == prev.hash
    assert verify_chain().ok
    assert verify_chain().checked == 4


def test_edited_record_breaks_the_chain(history):
    rec = AuditRecord.objects.get(action="ticket.comment")
    AuditRecord.objects.filter(pk=rec.pk).update(actor_name="someone-else")
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == rec.seq
    with pytest.raises(CommandError, match=f"#{rec.seq}"):
        call_command("verify_audit")


def test_deleted_record_breaks_the_chain(history):
    AuditRecord.objects.filter(action="ticket.acknowledge").delete()
    assert not verify_chain().ok


def test_deleted_tail_is_detected(history):
    AuditRecord.objects.filter(action="ticket.resolve").delete()
    report = verify_chain()
    assert not report.ok
    assert "missing" in report.reason


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    from caredesk.audit.services import record
    from caredesk.directory.models import Product

    product = Product.objects.create(code="p", name="P")
    with pytest.raises(RuntimeError):
        record(actor=None, action="product.touch", obj=product)
    assert not AuditRecord.objects.exists()


def test_verify_command_reports_an_intact_chain(history, capsys):
    call_command("verify_audit")
    assert "4 records verified" in capsys.readouterr().out
