"""PostgreSQL's own client programs (pg_dump, pg_restore), run against the configured database.

They are given the connection through libpq's environment variables, so a password never
appears in the process list.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from .errors import BackupError

DEBIAN_BIN = Path("/usr/lib/postgresql")
# How long the restore may wait for another session's lock before giving up (and rolling
# back): a running web server or worker in the middle of a request, say.
RESTORE_LOCK_TIMEOUT = "30s"
# One line of `pg_restore --list` describing a table (not its data): "215; 1259 16385 TABLE
# public audit_auditrecord postgres".
_TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(?P<schema>\S+) (?P<name>\S+)(?: |$)")


def binary(name: str, server_version: int) -> str:
    """The path of `name` (pg_dump, pg_restore) for a server of `server_version` (e.g. 150004).

    pg_dump refuses a server newer than itself, and Debian installs one set of clients per
    major version, so that version's comes first; then PATH (scripts/pg-bin's order); then the
    newest installed."""
    exact = DEBIAN_BIN / str(server_version // 10000) / "bin" / name
    if os.access(exact, os.X_OK):
        return str(exact)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    installed = sorted(
        (p for p in DEBIAN_BIN.glob(f"*/bin/{name}") if p.parent.parent.name.isdigit()),
        key=lambda p: int(p.parent.parent.name),
        reverse=True,
    )
    if installed:
        return str(installed[0])
    raise BackupError(
        f"{name} is not installed: install PostgreSQL's client programs (e.g. postgresql-client)."
    )


def _env(database: dict, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ]:
        if database.get(key):
            env[variable] = str(database[key])
    sslmode = (database.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    env.update(extra)
    return env


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


def dump(database: dict, server_version: int, target: Path) -> None:
    """pg_dump's custom format of the whole database, read in one snapshot. Owners and grants
    are left out, so the dump restores under whichever role the restoring site uses."""
    _run(
        [
            binary("pg_dump", server_version),
            "--format=custom",
            "--no-owner",
            "--no-acl",
            f"--file={target}",
        ],
        _env(database),
    )


def tables_in(source: Path, server_version: int) -> set[str]:
    """The names of the tables a dump creates (from its table of contents)."""
    listing = _run([binary("pg_restore", server_version), "--list", str(source)], os.environ)
    return {m["name"] for m in map(_TABLE_ENTRY.match, listing.splitlines()) if m}


def restore(database: dict, server_version: int, source: Path, *, clean: bool) -> None:
    """Load a dump in one transaction: any error rolls it all back (--single-transaction
    implies --exit-on-error). With `clean`, the dump's objects are dropped first, inside the
    same transaction, so the database is either the old one or the restored one."""
    command = [
        binary("pg_restore", server_version),
        "--single-transaction",
        "--no-owner",
        "--no-acl",
        f"--dbname={database['NAME']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    pgoptions = os.environ.get("PGOPTIONS", "")
    _run(
        [*command, str(source)],
        _env(database, PGOPTIONS=f"{pgoptions} -c lock_timeout={RESTORE_LOCK_TIMEOUT}".strip()),
    )
