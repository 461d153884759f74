"""Backing up and restoring a whole installation: the database and, when there are any, the
audit checkpoints kept outside it.

A backup is one gzipped tar file:
    manifest.json       format and version, database vendor, when, each member's SHA-256
    database.sqlite3    SQLite: a copy made with SQLite's online backup API, or
    database.pgdump     PostgreSQL: pg_dump's custom format, for pg_restore
    checkpoints         the audit checkpoint file, or checkpoints/… a directory of them
A damaged or foreign file is refused before anything is changed.

Both kinds are taken while CareDesk runs (the backup API and pg_dump each read one consistent
snapshot) and restored all or nothing. SQLite's copy is unpacked to a temporary file and
checked there, then written over the live database in one transaction by the backup API
again: it goes through the live database's journal (WAL), so readers see the old database
or the new one and a crash leaves the old one whole, where renaming a file over a WAL
database would pair it with the old one's -wal file and pull it from under open connections.
PostgreSQL's dump is loaded by pg_restore in a single transaction. A database that holds
tables is replaced only when asked (`force`).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection

from caredesk import clock

from . import pg
from .errors import BackupError, WouldReplace

FORMAT = "caredesk-backup"
VERSION = 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
CHECKPOINTS = "checkpoints"
_MANIFEST_KEYS = {"format", "version", "vendor", "created_at", "checkpoints", "sha256"}


@dataclass
class BackupDone:
    path: Path
    vendor: str
    tables: int
    size: int
    checkpoints: bool


@dataclass
class RestoreDone:
    vendor: str
    tables: int
    created_at: str
    # Where the backup's audit checkpoints were put; None when there were none or no place
    # was given (then `checkpoints_left` says whether the backup holds some).
    checkpoints: Path | None
    checkpoints_left: bool


def backup(path: Path, *, checkpoints: Path | None = None, force: bool = False) -> BackupDone:
    """Write a backup of the database, and of the audit checkpoints at `checkpoints` if given,
    to `path`. The file appears only when complete; an existing one is replaced only with
    `force`."""
    vendor = _vendor()
    if path.exists() and not force:
        raise WouldReplace(f"{path} already exists.")
    if not path.parent.is_dir():
        raise BackupError(f"There is no directory {path.parent}.")
    if checkpoints is not None and not checkpoints.exists():
        raise BackupError(f"There are no audit checkpoints at {checkpoints}.")
    partial = path.with_name(path.name + ".partial")
    try:
        with tempfile.TemporaryDirectory(prefix="caredesk-backup-") as tmp:
            staging = Path(tmp)
            # Checkpoints before the database: every checkpoint copied then names a record the
            # database copy holds; one taken after it would point past the restored chain.
            if checkpoints is not None:
                _copy(checkpoints, staging / CHECKPOINTS)
            _take_database(vendor, staging / DATABASE[vendor])
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "vendor": vendor,
                "created_at": clock.now().isoformat(),
                "checkpoints": _kind(checkpoints),
                "sha256": _checksums(staging),
            }
            _pack(staging, manifest, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    tables = len(connection.introspection.table_names())
    return BackupDone(path, vendor, tables, path.stat().st_size, checkpoints is not None)


def restore(path: Path, *, checkpoints: Path | None = None, force: bool = False) -> RestoreDone:
    """Replace the database with a backup's, and the audit checkpoints at `checkpoints` with
    the backup's if given. A database (or checkpoint place) that holds anything is replaced
    only with `force`. Verifying the restored audit chain is the caller's next step."""
    vendor = _vendor()
    with tempfile.TemporaryDirectory(prefix="caredesk-restore-") as tmp:
        staging = Path(tmp)
        manifest = _unpack(path, staging)
        if manifest["vendor"] != vendor:
            raise BackupError(
                f"{path} is a backup of a {NAMES.get(str(manifest['vendor']), 'another')} "
                f"database; this installation runs on {NAMES[vendor]}."
            )
        source = staging / DATABASE[vendor]
        if not source.is_file():
            raise BackupError(f"{path} is damaged: it holds no database.")
        held = manifest["checkpoints"]
        if checkpoints is not None:
            if held is None:
                raise BackupError(f"{path} holds no audit checkpoints.")
            if not checkpoints.parent.is_dir():
                raise BackupError(f"There is no directory {checkpoints.parent}.")
            if _occupied(checkpoints) and not force:
                raise WouldReplace(f"{checkpoints} is not empty.")
        present = connection.introspection.table_names()
        if present and not force:
            raise WouldReplace(f"The database is not empty ({len(present)} tables).")
        if vendor == "sqlite":
            _restore_sqlite(source)
        else:
            _restore_postgresql(source, present)
        if checkpoints is not None:
            _replace(staging / CHECKPOINTS, checkpoints)
    return RestoreDone(
        vendor=vendor,
        tables=len(connection.introspection.table_names()),
        created_at=manifest["created_at"],
        checkpoints=checkpoints,
        checkpoints_left=held is not None and checkpoints is None,
    )


def _vendor() -> str:
    if connection.vendor not in DATABASE:
        raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
    if connection.in_atomic_block:
        raise BackupError("A backup or restore cannot run inside a transaction.")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise BackupError(f"Cannot connect to the database: {exc}".strip()) from exc
    return connection.vendor


def _take_database(vendor: str, target: Path) -> None:
    if vendor == "postgresql":
        pg.dump(connection.settings_dict, connection.pg_version, target)
        return
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def _restore_sqlite(source: Path) -> None:
    copy = sqlite3.connect(source)
    try:
        try:
            check = copy.execute("PRAGMA integrity_check").fetchall()
            migrated = copy.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"The database in the backup is damaged: {exc}.") from exc
        if check != [("ok",)]:
            raise BackupError(f"The database in the backup is damaged: {check[0][0]}.")
        if migrated is None:
            raise BackupError("The database in the backup is not a CareDesk database.")
        # One step (pages=-1): the whole copy lands in one transaction of the live database.
        copy.backup(connection.connection, pages=-1)
    except sqlite3.OperationalError as exc:
        raise BackupError(f"Could not write the restored database: {exc}.") from exc
    finally:
        copy.close()


def _restore_postgresql(source: Path, present: list[str]) -> None:
    if present:
        # Dropping and recreating what the dump holds leaves other tables behind, beside a
        # django_migrations table that knows nothing of them: refuse rather than mix.
        extra = sorted(set(present) - pg.tables_in(source, connection.pg_version))
        if extra:
            raise BackupError(
                f"The database has tables the backup does not: {', '.join(extra)}. "
                "Restore into an empty database instead (drop and create it)."
            )
    pg.restore(connection.settings_dict, connection.pg_version, source, clean=bool(present))


def _kind(place: Path | None) -> str | None:
    if place is None:
        return None
    return "directory" if place.is_dir() else "file"


def _occupied(place: Path) -> bool:
    return place.is_file() or (place.is_dir() and any(place.iterdir()))


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy2(source, target)


def _replace(source: Path, target: Path) -> None:
    """Put the restored checkpoints at `target`: copied beside it first, then swapped in."""
    incoming = target.with_name(target.name + ".restoring")
    _remove(incoming)
    _copy(source, incoming)
    _remove(target)
    os.replace(incoming, target)


def _remove(place: Path) -> None:
    if place.is_dir() and not place.is_symlink():
        shutil.rmtree(place)
    else:
        place.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(staging: Path) -> dict[str, str]:
    return {
        p.relative_to(staging).as_posix(): _sha256(p)
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }


def _pack(staging: Path, manifest: dict, target: Path) -> None:
    data = json.dumps(manifest, indent=2).encode()
    with tarfile.open(target, "w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(data), int(clock.now().timestamp())
        tar.addfile(info, io.BytesIO(data))
        for name in sorted(p.name for p in staging.iterdir()):
            tar.add(staging / name, arcname=name)


def _unpack(path: Path, staging: Path) -> dict:
    """Unpack a backup into `staging` and return its manifest, once every member checks out."""
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    try:
        with tarfile.open(path, "r:*") as tar:
            # The "data" filter refuses absolute paths, links out of the directory and devices.
            tar.extractall(staging, filter="data")
    except (tarfile.TarError, EOFError) as exc:
        raise BackupError(f"{path} is not a CareDesk backup, or it is damaged.") from exc
    try:
        manifest = json.loads((staging / MANIFEST).read_text())
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict) or not manifest.keys() >= _MANIFEST_KEYS:
        raise BackupError(f"{path} is not a CareDesk backup (no readable manifest).")
    if manifest["format"] != FORMAT:
        raise BackupError(f"{path} is not a CareDesk backup.")
    if manifest["version"] != VERSION:
        raise BackupError(
            f"{path} is a backup of format {manifest['version']}; this CareDesk reads {VERSION}."
        )
    sums = manifest["sha256"]
    found = {name: sha for name, sha in _checksums(staging).items() if name != MANIFEST}
    if found != sums:
        raise BackupError(f"{path} is damaged: its contents do not match their checksums.")
    if manifest["checkpoints"] and not (staging / CHECKPOINTS).exists():
        raise BackupError(f"{path} is damaged: its audit checkpoints are missing.")
    return manifest
