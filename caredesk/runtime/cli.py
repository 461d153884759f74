"""What the backup and restore commands share: their arguments and how a refusal is told."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management.base import CommandError

from .errors import BackupError, WouldReplace


def add_arguments(parser, *, checkpoints: str, force: str) -> None:
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--checkpoints", type=Path, metavar="PATH", help=checkpoints)
    parser.add_argument("--force", action="store_true", help=force)


@contextmanager
def refusals() -> Iterator[None]:
    """A refused backup or restore, or a file that cannot be read or written, ends the
    command with its message (CommandError), never a traceback."""
    try:
        yield
    except WouldReplace as exc:
        raise CommandError(f"{exc} Pass --force to replace it.") from exc
    except (BackupError, OSError) as exc:
        raise CommandError(str(exc)) from exc
