"""Someone who can write to the database, but does not hold the key, changes the audit log:
`verify_audit` names the first record, or the place in the chain, where it no longer holds."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from caredesk import clock
from caredesk.audit.checking import verify_audit
from caredesk.audit.models import AuditHead, AuditRecord
from caredesk.audit.sealing import canonical

from .conftest import seal_everything


@pytest.fixture
def sealed(history):
    seal_everything()
    return list(AuditRecord.objects.order_by("seq"))


def sha256_seal(rec: AuditRecord, prev: str) -> str:
    """What an attacker without the key can compute: the chain's shape, with plain SHA-256."""
    return hashlib.sha256(prev.encode() + b"\n" + canonical(rec)).hexdigest()


def test_an_intact_log_verifies(sealed, capsys):
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "4 sealed records verified against 1 checkpoints" in out


def test_an_edited_record_is_named(sealed):
    comment = AuditRecord.objects.get(action="ticket.comment")
    AuditRecord.objects.filter(pk=comment.pk).update(actor_name="someone-else")
    report = verify_audit()
    assert (report.first.record_id, report.first.seq) == (comment.pk, comment.seq)
    assert report.sealed == comment.seq - 1
    with pytest.raises(CommandError, match=rf"record id {comment.pk} \(seq {comment.seq}\)"):
        call_command("verify_audit")


def test_an_edit_with_every_hash_recomputed_without_the_key_is_still_caught(sealed):
    """The attacker rewrites the record, re-hashes it and every later record the way a plain
    hash chain would, and moves the head: without the key none of the seals hold."""
    comment = AuditRecord.objects.get(action="ticket.comment")
    AuditRecord.objects.filter(pk=comment.pk).update(after={"body": "Nothing to see"})
    prev = AuditRecord.objects.get(seq=comment.seq - 1).seal
    for rec in AuditRecord.objects.filter(seq__gte=comment.seq).order_by("seq"):
        prev = sha256_seal(rec, prev)
        AuditRecord.objects.filter(pk=rec.pk).update(seal=prev)
    AuditHead.objects.filter(pk=1).update(last_hash=prev)
    report = verify_audit()
    assert not report.ok
    assert (report.first.record_id, report.first.seq) == (comment.pk, comment.seq)
    assert "does not match its seal" in report.first.text


def test_a_deleted_record_leaves_a_gap(sealed):
    AuditRecord.objects.filter(seq=2).delete()
    report = verify_audit()
    assert (report.first.record_id, report.first.seq) == (sealed[2].pk, 3)
    assert "seq 2 deleted" in report.first.text


def test_a_deleted_tail_newer_than_the_last_checkpoint_is_caught_by_the_head(sealed, cast, history):
    from caredesk.tickets import services

    services.add_comment(actor=cast.b, ticket=history, body="One more")
    services.add_comment(actor=cast.b, ticket=history, body="And another")
    seal_everything()  # seq 5 and 6: too few, too soon for another checkpoint
    AuditRecord.objects.filter(seq__gte=5).delete()
    report = verify_audit()
    assert report.first.seq == 4
    assert "head is at seq 6" in report.first.text


def test_a_deleted_tail_with_the_head_moved_back_is_caught_by_the_checkpoint(sealed):
    """Inside the database everything agrees again; only the checkpoint outside it knows."""
    AuditRecord.objects.filter(seq__gte=3).delete()
    AuditHead.objects.filter(pk=1).update(seq=2, last_hash=sealed[1].seal, checkpoint_seq=2)
    report = verify_audit()
    assert not report.ok
    assert report.first.seq == 2
    assert "vouches for seq 4" in report.first.text
    with pytest.raises(CommandError, match="seq 2: the chain ends here"):
        call_command("verify_audit")


def test_a_rewritten_chain_differs_from_its_checkpoint(sealed, settings):
    """Even someone holding the key cannot quietly rewrite what a checkpoint vouches for."""
    from caredesk.audit.sealing import key, seal_of

    last = sealed[-1]
    AuditRecord.objects.filter(pk=last.pk).update(actor_name="rewritten")
    last.refresh_from_db()
    resealed = seal_of(last, sealed[-2].seal, key())
    AuditRecord.objects.filter(pk=last.pk).update(seal=resealed)
    AuditHead.objects.filter(pk=1).update(last_hash=resealed)
    report = verify_audit()
    assert (report.first.record_id, report.first.seq) == (last.pk, 4)
    assert "differs from the checkpoint" in report.first.text


def test_a_forged_checkpoint_line_is_named(sealed, settings):
    log = Path(settings.AUDIT_CHECKPOINTS)
    log.write_text(
        log.read_text() + "caredesk-audit-checkpoint seq=9 head=00 "
        "at=2026-12-01T00:00:00.000000+00:00 mac=" + "0" * 64 + "\n"
    )
    report = verify_audit()
    assert [str(p) for p in report.problems] == [
        f"checkpoint line 2 of {log} has a signature that does not match (forged, or another key)"
    ]


def test_a_missing_checkpoint_log_is_a_problem_once_records_are_sealed(sealed, settings):
    Path(settings.AUDIT_CHECKPOINTS).unlink()
    report = verify_audit()
    assert "no checkpoints in" in report.first.text


def test_records_left_unsealed_too_long_are_a_warning_not_a_failure(cast, open_request):
    with clock.frozen_at(clock.now() - dt.timedelta(hours=1)):
        open_request()
    report = verify_audit(unsealed_age=dt.timedelta(minutes=10))
    assert report.ok
    oldest = AuditRecord.objects.order_by("id").first()
    assert len(report.warnings) == 1
    assert f"the oldest is record id {oldest.pk}" in report.warnings[0]


def test_a_record_taken_out_of_the_chain_leaves_a_gap_and_a_stray_seal(sealed):
    AuditRecord.objects.filter(seq=2).update(seq=None)
    report = verify_audit()
    assert (report.first.record_id, report.first.seq) == (sealed[2].pk, 3)
    assert str(report.problems[1]) == (
        f"record id {sealed[1].pk}: has a seal but no place in the chain"
    )
