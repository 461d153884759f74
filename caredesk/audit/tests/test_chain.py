"""Recording and sealing: every change leaves a record at once; the sealer chains them later,
in order, with a keyed seal."""

import datetime as dt

import pytest

from caredesk import clock
from caredesk.audit import checkpoints
from caredesk.audit.checking import verify_audit
from caredesk.audit.models import AuditHead, AuditRecord
from caredesk.audit.sealing import key, seal_of, seal_pending
from caredesk.audit.services import record
from caredesk.directory.models import Product

from .conftest import seal_everything


def test_each_verb_appends_a_record_the_sealer_has_not_seen_yet(history):
    records = list(AuditRecord.objects.order_by("id"))
    assert [r.action for r in records] == [
        "ticket.open",
        "ticket.acknowledge",
        "ticket.comment",
        "ticket.resolve",
    ]
    assert all(r.seq is None and r.seal is None and r.sealed_at is None for r in records)
    report = verify_audit()
    assert report.ok
    assert (report.sealed, report.unsealed) == (0, 4)


def test_the_sealer_chains_records_in_id_order_with_the_key(history):
    assert seal_everything() == 4
    records = list(AuditRecord.objects.order_by("id"))
    assert [r.seq for r in records] == [1, 2, 3, 4]
    prev = ""
    for rec in records:
        assert rec.seal == seal_of(rec, prev, key())
        assert rec.sealed_at is not None
        prev = rec.seal
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.last_hash) == (4, records[-1].seal)
    report = verify_audit()
    assert report.ok, report.problems
    assert (report.sealed, report.unsealed, report.checkpoints) == (4, 0, 1)


def test_the_same_records_under_another_key_do_not_verify(history, settings):
    seal_everything()
    settings.AUDIT_KEY = "someone-elses-key-someone-elses-key"
    report = verify_audit()
    assert not report.ok
    first = AuditRecord.objects.get(seq=1)
    assert (report.first.record_id, report.first.seq) == (first.pk, 1)


def test_a_pass_seals_at_most_its_batch_and_the_next_pass_goes_on(cast):
    product = Product.objects.create(code="p", name="P")
    for i in range(5):
        record(actor=cast.a, action="product.touch", obj=product, after={"i": i})
    assert seal_pending(batch=2) == 2
    assert AuditRecord.objects.filter(seq__isnull=True).count() == 3
    assert seal_pending(batch=2) == 2
    assert seal_pending(batch=2) == 1
    assert seal_pending(batch=2) == 0
    assert list(AuditRecord.objects.order_by("id").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_a_record_that_appears_late_with_a_lower_id_is_sealed_after_not_skipped(cast):
    """PostgreSQL hands out ids at insert time: a transaction that commits late shows a record
    whose id is below ones already sealed. It takes the next place in the chain."""
    product = Product.objects.create(code="p", name="P")
    early = record(actor=cast.a, action="product.touch", obj=product)
    later = record(actor=cast.a, action="product.touch", obj=product)
    hidden = {"id": early.pk, "at": early.at}
    AuditRecord.objects.filter(pk=early.pk).delete()  # not visible yet
    assert seal_everything() == 1
    AuditRecord.objects.create(
        **hidden, actor_id=cast.a.pk, actor_name="manager.a", action="product.touch",
        object_type="Product", object_id=str(product.pk),
    )  # fmt: skip
    assert seal_everything() == 1
    assert AuditRecord.objects.get(pk=later.pk).seq == 1
    assert AuditRecord.objects.get(pk=early.pk).seq == 2
    assert verify_audit().ok


def test_an_exception_in_the_middle_of_sealing_loses_nothing(history):
    """The rows are updated, then moving the head fails: the whole batch stays unsealed, and
    the next pass seals it."""
    from django.db import connection

    def fail_on_head(execute, sql, params, many, context):
        if sql.startswith('UPDATE "audit_audithead"'):
            raise RuntimeError("sealer killed")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_on_head), pytest.raises(RuntimeError):
        seal_pending()
    assert not AuditRecord.objects.filter(seq__isnull=False).exists()
    assert AuditHead.objects.get(pk=1).seq == 0
    assert seal_everything() == 4
    assert verify_audit().ok


def test_a_checkpoint_comes_first_at_once_then_every_n_records_or_t_seconds(cast, settings):
    settings.AUDIT_CHECKPOINT_ROWS = 3
    settings.AUDIT_CHECKPOINT_SECONDS = 60
    product = Product.objects.create(code="p", name="P")
    start = clock.now()

    def add_and_seal(n: int, at: dt.datetime) -> list[int]:
        with clock.frozen_at(at):
            for _ in range(n):
                record(actor=cast.a, action="product.touch", obj=product)
            seal_everything()
        lines = checkpoints.read(settings.AUDIT_CHECKPOINTS, key())
        return [line.checkpoint.seq for line in lines]

    assert add_and_seal(1, start) == [1]  # the first one at once
    assert add_and_seal(1, start + dt.timedelta(seconds=1)) == [1]  # 1 record, 1 s: not yet
    assert add_and_seal(2, start + dt.timedelta(seconds=2)) == [1, 4]  # 3 records since
    assert add_and_seal(1, start + dt.timedelta(seconds=3)) == [1, 4]
    assert add_and_seal(0, start + dt.timedelta(seconds=70)) == [1, 4, 5]  # a minute since
    assert add_and_seal(0, start + dt.timedelta(seconds=200)) == [1, 4, 5]  # nothing new
    assert verify_audit().ok


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    product = Product.objects.create(code="p", name="P")
    with pytest.raises(RuntimeError):
        record(actor=None, action="product.touch", obj=product)
    assert not AuditRecord.objects.exists()
