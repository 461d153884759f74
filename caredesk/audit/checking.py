"""Checking the audit log: every sealed record, the chain that links them, and the checkpoints
kept outside the database.

Without the key nobody can make a seal that holds, so an edited record fails even when its
seal was recomputed (with plain SHA-256 or anything else). A deleted record leaves a gap in
the sequence. Deleting the newest records and moving the head back leaves a chain that holds
together — but shorter than, or different from, the last checkpoint: that is what the
checkpoints are for. Problems are reported in chain order; the first one is named.
"""

import datetime as dt
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from caredesk import clock

from . import checkpoints
from .models import AuditHead, AuditRecord
from .sealing import key, seal_of


@dataclass
class Problem:
    text: str
    record_id: int | None = None
    seq: int | None = None

    def __str__(self) -> str:
        seq = f"seq {self.seq}" if self.seq is not None else ""
        if self.record_id is not None:
            return f"record id {self.record_id}{f' ({seq})' if seq else ''}: {self.text}"
        return f"{seq}: {self.text}" if seq else self.text


@dataclass
class AuditReport:
    sealed: int = 0
    checkpoints: int = 0
    unsealed: int = 0
    checkpoint_source: str | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def verify_audit(
    *,
    checkpoint_file: str | Path | None = None,
    unsealed_age: dt.timedelta = dt.timedelta(minutes=10),
    chunk: int = 5000,
) -> AuditReport:
    """Check seals, chain, head and checkpoints; stop walking the chain at its first break
    (what follows a break cannot be trusted either)."""
    secret = key()
    report = AuditReport()
    lines = _checkpoint_lines(checkpoint_file, secret, report)
    wanted: dict[int, list[checkpoints.Checkpoint]] = {}
    for line in lines:
        if line.checkpoint:
            wanted.setdefault(line.checkpoint.seq, []).append(line.checkpoint)

    # The head before the chain: rows sealed while the check runs only extend the chain.
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(seq=0, last_hash="")
    prev, last_seq = "", 0
    sealed = AuditRecord.objects.filter(seq__isnull=False).order_by("seq")
    for rec in sealed.iterator(chunk_size=chunk):
        problem = _check_one(rec, last_seq, prev, secret, wanted.get(rec.seq, []), head)
        if problem:
            report.problems.append(problem)
            break
        prev, last_seq = rec.seal, rec.seq
        report.sealed += 1
    else:
        _check_end(last_seq, head, wanted, report)
    stray = AuditRecord.objects.filter(seq__isnull=True, seal__isnull=False).first()
    if stray:
        report.problems.append(Problem("has a seal but no place in the chain", stray.pk))
    source = report.checkpoint_source
    report.problems += [
        Problem(f"checkpoint line {line.number} of {source} {line.problem}")
        for line in lines
        if line.problem
    ]
    _check_unsealed(unsealed_age, report)
    return report


def _checkpoint_lines(source, secret: bytes, report: AuditReport) -> list[checkpoints.Line]:
    source = str(source or settings.AUDIT_CHECKPOINTS)
    if checkpoints.is_syslog(source):
        report.warnings.append(
            f"checkpoints go to {source}: pass the file the log host keeps them in "
            "(verify_audit --checkpoints FILE) to check them"
        )
        return []
    lines = checkpoints.read(source, secret)
    report.checkpoints = sum(1 for line in lines if line.checkpoint)
    report.checkpoint_source = source
    return lines


def _check_one(rec, last_seq, prev, secret, wanted, head) -> Problem | None:
    if rec.seq != last_seq + 1:
        gap = f"seq {last_seq + 1}" + (f"–{rec.seq - 1}" if rec.seq > last_seq + 2 else "")
        return Problem(f"the records before it are missing ({gap} deleted)", rec.pk, rec.seq)
    if not rec.seal or not hmac.compare_digest(rec.seal, seal_of(rec, prev, secret)):
        return Problem(
            "its content or its link to the previous record does not match its seal "
            "(edited, inserted or re-hashed without the key)",
            rec.pk,
            rec.seq,
        )
    for checkpoint in wanted:
        if checkpoint.head != rec.seal:
            return Problem(
                f"differs from the checkpoint of {checkpoint.at.isoformat()} "
                "(the chain was rewritten from here on)",
                rec.pk,
                rec.seq,
            )
    if rec.seq == head.seq and rec.seal != head.last_hash:
        return Problem("differs from the chain's head (the head was edited)", rec.pk, rec.seq)
    return None


def _check_end(last_seq: int, head: AuditHead, wanted, report: AuditReport) -> None:
    """A chain that holds together may still be short: compare its end with the checkpoints
    and with the head."""
    beyond = [cp for seq, cps in wanted.items() if seq > last_seq for cp in cps]
    if beyond:
        latest = max(beyond, key=lambda cp: cp.seq)
        report.problems.append(
            Problem(
                f"the chain ends here, but the checkpoint of {latest.at.isoformat()} vouches "
                f"for seq {latest.seq}: the newest sealed records were deleted",
                seq=last_seq,
            )
        )
    elif head.seq > last_seq:
        report.problems.append(
            Problem(
                f"the chain ends here, but its head is at seq {head.seq}: the newest sealed "
                "records were deleted",
                seq=last_seq,
            )
        )
    elif last_seq and not report.checkpoints and report.checkpoint_source:
        report.problems.append(
            Problem(
                f"no checkpoints in {report.checkpoint_source}: whether the newest records "
                "were deleted cannot be checked (is this the sealer's checkpoint log?)"
            )
        )


def _check_unsealed(age: dt.timedelta, report: AuditReport) -> None:
    unsealed = AuditRecord.objects.filter(seq__isnull=True)
    report.unsealed = unsealed.count()
    stale = unsealed.filter(at__lt=clock.now() - age).order_by("pk")
    oldest = stale.first()
    if oldest:
        report.warnings.append(
            f"{stale.count()} records older than {age} are not sealed yet (the oldest is "
            f"record id {oldest.pk}, of {oldest.at.isoformat()}): is a worker running?"
        )
