"""Where attachment bytes live: ATTACHMENTS_DIR (outside the web root), by random names, so a
file's name from the sender never becomes a path."""

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


class TooLarge(Exception):
    pass


def path_of(stored_name: str) -> Path:
    return Path(settings.ATTACHMENTS_DIR) / stored_name


def write(chunks: Iterable[bytes], *, limit: int, when) -> tuple[str, int, str]:
    """Write the chunks to a new file; (stored name, size, sha256). Past `limit` bytes the
    partial file is removed and TooLarge raised: nothing stays behind."""
    stored_name = f"{when:%Y/%m}/{secrets.token_hex(16)}"
    target = path_of(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "xb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise TooLarge()
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        remove(stored_name)
        raise
    return stored_name, size, digest.hexdigest()


def remove(stored_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path_of(stored_name))
