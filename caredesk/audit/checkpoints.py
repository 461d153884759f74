"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is one line — the head's sequence number and seal, the time, and an HMAC of the
three under the audit key:

    caredesk-audit-checkpoint seq=1200 head=3f…a1 at=2026-12-01T23:00:00.000000+00:00 mac=9c…07

Lines go to an append-only file (fsynced; the default) or to syslog (AUDIT_CHECKPOINTS =
"syslog" or "syslog://host:port"), where a log host keeps them out of reach of whoever can
write to the database. Reading accepts any line that contains the marker, so a syslog file
with its own prefixes can be checked as it is.
"""

import datetime as dt
import hashlib
import hmac
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

MARKER = "caredesk-audit-checkpoint"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    head: str
    at: dt.datetime

    def signed_text(self) -> str:
        return f"seq={self.seq} head={self.head} at={_iso(self.at)}"

    def mac(self, secret: bytes) -> str:
        message = f"{MARKER}\n{self.signed_text()}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    def line(self, secret: bytes) -> str:
        return f"{MARKER} {self.signed_text()} mac={self.mac(secret)}"


@dataclass(frozen=True)
class Line:
    """One checkpoint line as read back: the checkpoint, or why it cannot be trusted."""

    number: int
    checkpoint: Checkpoint | None
    problem: str = ""


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def is_syslog(target: str) -> bool:
    return target == "syslog" or target.startswith("syslog://")


def append(checkpoint: Checkpoint, secret: bytes, target: str | None = None) -> None:
    """Write one checkpoint line; returns only once the line is on disk (or handed to syslog)."""
    target = target or settings.AUDIT_CHECKPOINTS
    line = checkpoint.line(secret)
    if is_syslog(target):
        _syslog(target).emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO}))
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: each line is one write at the end of the file, even with several sealers.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


_handlers: dict[str, logging.handlers.SysLogHandler] = {}


def _syslog(target: str) -> logging.handlers.SysLogHandler:
    if target not in _handlers:
        if target == "syslog":
            address: str | tuple[str, int] = "/dev/log"
        else:
            host, _, port = target.removeprefix("syslog://").partition(":")
            address = (host, int(port or 514))
        handler = logging.handlers.SysLogHandler(address=address)
        handler.ident = "caredesk: "
        _handlers[target] = handler
    return _handlers[target]


def read(path: str | Path, secret: bytes) -> list[Line]:
    """Every checkpoint line in a file, each checked against the key. A missing file reads as
    no lines (the caller decides whether that is a problem)."""
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return []
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        start = raw.find(MARKER)
        if start >= 0:
            lines.append(_parse(number, raw[start + len(MARKER) :], secret))
    return lines


def _parse(number: int, rest: str, secret: bytes) -> Line:
    # A syslog datagram may end in a NUL that some log hosts keep.
    fields = dict(part.partition("=")[::2] for part in rest.replace("\0", " ").split())
    try:
        checkpoint = Checkpoint(
            seq=int(fields["seq"]), head=fields["head"], at=dt.datetime.fromisoformat(fields["at"])
        )
        mac = fields["mac"]
    except (KeyError, ValueError):
        return Line(number, None, "is not a well-formed checkpoint")
    if not hmac.compare_digest(mac, checkpoint.mac(secret)):
        return Line(number, None, "has a signature that does not match (forged, or another key)")
    return Line(number, checkpoint)
