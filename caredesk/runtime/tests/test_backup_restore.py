"""`manage.py backup` and `restore`: a round trip brings back every row of every table and an
intact audit chain; a restore refuses what it would wrongly replace and never half-restores.

Real databases throughout: SQLite's online backup API, or pg_dump / pg_restore against the
PostgreSQL server under test. Transactional tests, because pg_dump reads only committed rows
and a restore refuses to run inside a transaction.
"""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from caredesk.audit.models import AuditRecord
from caredesk.audit.sealing import seal_and_checkpoint
from caredesk.notify.models import Message
from caredesk.runtime.services import DATABASE

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list]:
    """Every table's rows, in a stable order, read through Django's connection."""
    rows = {}
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(cur.fetchall(), key=repr)
    return rows


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def world(cast, open_request):
    """The cast and three tickets: rows in most tables, and an audit chain to verify (sealed
    by the worker's sealer, with its checkpoint)."""
    for title in ["Base station keeps dropping calls", "Fan alarm", "Link flapping"]:
        open_request(title=title)
    seal_and_checkpoint(batch=10_000)
    return cast


def intact(records: int) -> str:
    return f"Audit log intact: {records} sealed records verified against"


@pytest.fixture
def archive(world, tmp_path) -> Path:
    path = tmp_path / "caredesk.backup"
    assert "Backed up the" in run("backup", str(path))
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def repack(archive: Path, target: Path, change, *, rehash: bool = True) -> Path:
    """A copy of a backup with `change(folder, manifest)` applied to its unpacked members;
    the checksums are recomputed (a well-formed file) unless `rehash` is False."""
    folder = target.with_suffix(".unpacked")
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    manifest = json.loads((folder / "manifest.json").read_text())
    change(folder, manifest)
    if rehash:
        manifest["sha256"] = {
            p.relative_to(folder).as_posix(): _sha256(p)
            for p in folder.rglob("*")
            if p.is_file() and p.name != "manifest.json"
        }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with tarfile.open(target, "w:gz") as tar:
        for p in sorted(folder.iterdir()):
            tar.add(p, arcname=p.name)
    return target


def test_round_trip_over_a_changed_database_brings_back_every_row_and_the_chain(
    archive, open_request
):
    # What the backup holds: the state just before it (nothing has changed since).
    before = snapshot()
    records = AuditRecord.objects.count()
    assert records > 0 and before["tickets_ticket"] and before["notify_message"]
    # Life goes on after the backup; then something is lost by hand.
    open_request(title="Opened after the backup")
    Message.objects.all().delete()
    assert snapshot() != before

    out = run("restore", str(archive), "--force")

    assert snapshot() == before
    assert intact(records) in out
    # And `verify_audit` on its own, on the restored copy.
    assert run("verify_audit").startswith(intact(records))


def _raw_rows(**where) -> dict[str, list]:
    """Every table's rows through a plain DB-API connection (not Django's), so a database that
    Django is not connected to compares like for like with one it is."""
    if connection.vendor == "sqlite":
        raw = sqlite3.connect(where["path"], uri=True)
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        import psycopg

        db = connection.settings_dict
        raw = psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or None,
            user=db["USER"],
            password=db["PASSWORD"],
            dbname=where["name"],
        )
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    try:
        cur = raw.cursor()
        tables = [name for (name,) in cur.execute(query).fetchall()]
        return {t: sorted(cur.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        raw.close()


@pytest.fixture
def empty_database(tmp_path):
    """An empty database beside the one under test: (environment for manage.py, its address)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "fresh.sqlite3"
        yield {"DATABASE_URL": "", "CAREDESK_SQLITE_PATH": str(path)}, {"path": path}
        return
    db = connection.settings_dict
    name = f"caredesk_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{name}"
    try:
        yield {"DATABASE_URL": url}, {"name": name}
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_restore_into_an_empty_database_needs_no_force_and_matches_the_source(
    archive, empty_database
):
    env, where = empty_database
    records = AuditRecord.objects.count()

    # The other process seals and checks with this installation's key and checkpoint log.
    env = {
        **env,
        "CAREDESK_AUDIT_KEY": settings.AUDIT_KEY,
        "CAREDESK_AUDIT_CHECKPOINTS": settings.AUDIT_CHECKPOINTS,
    }
    restored = manage(env, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    verified = manage(env, "verify_audit")

    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip().startswith(intact(records))
    source = {"path": connection.settings_dict["NAME"], "name": connection.settings_dict["NAME"]}
    assert _raw_rows(**where) == _raw_rows(**source)


def test_restore_refuses_a_database_that_holds_tables_without_force(archive, open_request):
    open_request(title="Opened after the backup")
    before = snapshot()

    with pytest.raises(CommandError, match=r"not empty \(\d+ tables\)\. Pass --force"):
        run("restore", str(archive))

    assert snapshot() == before


def test_restore_failing_partway_leaves_the_database_as_it_was(archive, open_request, tmp_path):
    def cut_short(folder, manifest):
        # The database member loses its last fifth (a disk that filled up while copying), but
        # the checksums are made to match, so only the restore itself can notice.
        member = folder / DATABASE[manifest["vendor"]]
        data = member.read_bytes()
        member.write_bytes(data[: len(data) * 4 // 5])

    damaged = repack(archive, tmp_path / "short.backup", cut_short)
    open_request(title="Opened after the backup")
    before = snapshot()

    # SQLite's copy fails its check before the live database is touched; pg_restore fails
    # mid-load, after --clean has dropped the tables, and its one transaction rolls back.
    refusal = {"sqlite": "backup is damaged", "postgresql": "pg_restore failed"}
    with pytest.raises(CommandError, match=refusal[connection.vendor]):
        run("restore", str(damaged), "--force")

    assert snapshot() == before
    assert "Audit log intact" in run("verify_audit")


def test_forced_restore_leaves_no_table_the_backup_lacks(archive):
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE made_after_the_backup (id integer)")
    try:
        if connection.vendor == "sqlite":
            # The whole file is replaced, so the stray table goes with the rest.
            run("restore", str(archive), "--force")
            assert "made_after_the_backup" not in connection.introspection.table_names()
        else:
            # pg_restore --clean drops only what the dump holds: refused rather than mixed.
            before = snapshot()
            with pytest.raises(CommandError, match="tables the backup does not: made_after_the"):
                run("restore", str(archive), "--force")
            assert snapshot() == before
    finally:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS made_after_the_backup")


def _set(key, value):
    def change(folder, manifest):
        manifest[key] = value

    return change


def _flip_a_byte(folder, manifest):
    member = folder / DATABASE[manifest["vendor"]]
    data = bytearray(member.read_bytes())
    data[len(data) // 2] ^= 0xFF
    member.write_bytes(bytes(data))


def test_damaged_or_foreign_files_are_refused_with_a_message(archive, tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    text = tmp_path / "notes.txt"
    text.write_text("not a backup")
    no_manifest = tmp_path / "no-manifest.tar.gz"
    with tarfile.open(no_manifest, "w:gz") as tar:
        tar.add(text, arcname="notes.txt")
    cases = {
        tmp_path / "missing.backup": "There is no file",
        text: "is not a CareDesk backup, or it is damaged",
        no_manifest: r"is not a CareDesk backup \(no readable manifest\)",
        repack(archive, tmp_path / "flipped.backup", _flip_a_byte, rehash=False): (
            "is damaged: its contents do not match their checksums"
        ),
        repack(archive, tmp_path / "foreign.backup", _set("vendor", other)): (
            "is a backup of a .* database; this installation runs on"
        ),
        repack(archive, tmp_path / "future.backup", _set("version", 99)): "of format 99",
    }
    before = snapshot()
    for path, message in cases.items():
        with pytest.raises(CommandError, match=message):
            run("restore", str(path), "--force")
    assert snapshot() == before


def test_backup_never_overwrites_by_surprise_nor_leaves_a_partial_file(world, tmp_path):
    existing = tmp_path / "kept.backup"
    existing.write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="already exists. Pass --force"):
        run("backup", str(existing))
    assert existing.read_bytes() == b"an older backup"

    target = tmp_path / "new.backup"
    with pytest.raises(CommandError, match="There are no audit checkpoints at"):
        run("backup", str(target), "--checkpoints", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="There is no directory"):
        run("backup", str(tmp_path / "no" / "such" / "dir.backup"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.backup"]

    assert "Backed up the" in run("backup", str(existing), "--force")
    with tarfile.open(existing) as tar:
        assert "manifest.json" in tar.getnames()


def test_audit_checkpoints_travel_with_the_backup_when_given(world, tmp_path):
    kept = tmp_path / "checkpoints"
    kept.mkdir()
    (kept / "2026-12-01.json").write_text('{"seq": 3, "hash": "ab"}')
    (kept / "2026-12-02.json").write_text('{"seq": 7, "hash": "cd"}')
    with_them = tmp_path / "with.backup"
    without = tmp_path / "without.backup"
    assert "and the audit checkpoints" in run("backup", str(with_them), "--checkpoints", str(kept))
    run("backup", str(without))

    elsewhere = tmp_path / "restored-checkpoints"
    out = run("restore", str(with_them), "--force", "--checkpoints", str(elsewhere))
    assert f"Restored the audit checkpoints to {elsewhere}." in out
    assert {p.name: p.read_text() for p in elsewhere.iterdir()} == {
        p.name: p.read_text() for p in kept.iterdir()
    }

    # Without a place for them, the restore says they were left in the backup.
    assert "pass --checkpoints PATH to restore them" in run("restore", str(with_them), "--force")
    with pytest.raises(CommandError, match="is not empty. Pass --force"):
        run("restore", str(with_them), "--checkpoints", str(elsewhere))
    with pytest.raises(CommandError, match="holds no audit checkpoints"):
        run("restore", str(without), "--force", "--checkpoints", str(tmp_path / "spare"))
    assert not (tmp_path / "spare").exists()


def test_unreachable_database_is_a_message_not_a_traceback(tmp_path):
    nowhere = (
        {"DATABASE_URL": "", "CAREDESK_SQLITE_PATH": str(tmp_path / "no" / "dir" / "x.sqlite3")}
        if connection.vendor == "sqlite"
        else {"DATABASE_URL": "postgres://caredesk@127.0.0.1:1/caredesk"}
    )
    for command in ["backup", "restore"]:
        done = manage(nowhere, command, str(tmp_path / "caredesk.backup"))
        assert done.returncode == 1
        assert done.stderr.startswith("CommandError: Cannot connect to the database")
        assert "Traceback" not in done.stderr
