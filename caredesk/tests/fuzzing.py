"""Schemathesis against a live CareDesk server, as several people and as nobody.

Shared by test_schemathesis.py (a small run inside `make test`) and scripts/fuzz.py (`make fuzz`,
thousands of calls). Every check is on; what the checks are told about the API is in
schemathesis.toml beside this file, each allowance with its reason. Calls are counted where they
arrive — in the server — so the figure includes the extra requests the checks make themselves.
"""

import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.core.signals import request_started

CONFIG = Path(__file__).with_name("schemathesis.toml")
SEED = 20261202

# Who the runs call as: one person of each kind of access, and nobody (no token at all).
ROLES = {
    "customer": "customer.y",
    "engineer": "engineer.b",
    "partner": "partner.d",
    "admin": "admin",
    "anonymous": None,
}

# What keeps the runs' own tokens alive while they revoke tokens by id (schemathesis_hooks.py).
HOOKS = "caredesk.tests.schemathesis_hooks"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class RunToken:
    key: str | None  # None: the anonymous run sends no Authorization header
    id: int | None
    spare_id: int | None  # what the run revokes instead of a token the runs call with


def _token(person, name: str) -> tuple[str, int]:
    from caredesk.directory.models import ApiToken

    key = ApiToken.new_key()
    made = ApiToken.objects.create(
        person=person, name=name, key_hash=ApiToken.hash_key(key), prefix=key[:10]
    )
    return key, made.pk


def make_run_tokens(people: dict) -> dict[str, RunToken]:
    """For each role, its person's bearer token and a spare one, made as createtoken does."""
    tokens = {}
    for role, username in ROLES.items():
        if username is None:
            tokens[role] = RunToken(key=None, id=None, spare_id=None)
            continue
        key, pk = _token(people[username], f"schemathesis {role}")
        _, spare_id = _token(people[username], f"schemathesis {role}, to revoke")
        tokens[role] = RunToken(key=key, id=pk, spare_id=spare_id)
    return tokens


class CallCounter:
    """Counts the requests this process's server answers (any thread), while entered."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def _count(self, **kwargs):
        with self._lock:
            self.calls += 1

    def __enter__(self):
        request_started.connect(self._count, dispatch_uid=f"fuzz-counter-{id(self)}")
        return self

    def __exit__(self, *exc):
        request_started.disconnect(dispatch_uid=f"fuzz-counter-{id(self)}")


@dataclass
class RunResult:
    role: str
    calls: int
    operations: int
    failures: int
    errors: int
    returncode: int
    output: str

    @property
    def clean(self) -> bool:
        return self.returncode == 0 and self.failures == 0 and self.errors == 0


def _run_env(token: "RunToken", keep: list[int]) -> dict[str, str]:
    from caredesk.tests import schemathesis_hooks as hooks

    # No proxy may carry a request off this machine: requests honours *_PROXY variables.
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["SCHEMATHESIS_HOOKS"] = HOOKS
    env[hooks.KEEP_ENV] = ",".join(map(str, keep))
    # The anonymous run revokes nothing (it is refused first): any id does.
    env[hooks.SPARE_ENV] = str(token.spare_id or 1)
    return env


def run_schemathesis(
    base_url: str,
    role: str,
    token: RunToken,
    *,
    keep: list[int],
    examples: int,
    report_dir: Path,
    workers: int = 1,
    phases: str = "examples,coverage,fuzzing,stateful",
) -> RunResult:
    """One `schemathesis run` over the whole OpenAPI document as `role`, counting the calls the
    server answers, with the failures and errors read from its JUnit report. `keep`: the ids of
    the tokens the runs call with, which this run must not revoke."""
    host = urlsplit(base_url).hostname
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError(f"Schemathesis runs against loopback only, not {host!r}")
    junit = report_dir / f"{role}.xml"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        f"{base_url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        phases,
        "--max-examples",
        str(examples),
        "--seed",
        str(SEED),
        "--workers",
        str(workers),
        "--max-redirects",
        "0",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(junit),
    ]
    if token.key is not None:
        command += ["--header", f"Authorization: Bearer {token.key}"]
    with CallCounter() as counter:
        done = subprocess.run(
            command, env=_run_env(token, keep), cwd=report_dir, capture_output=True, text=True
        )
    failures = errors = operations = 0
    if junit.exists():
        suites = ET.parse(junit).getroot()
        failures = int(suites.get("failures", 0))
        errors = int(suites.get("errors", 0))
        operations = int(suites.get("tests", 0))
    return RunResult(
        role=role,
        calls=counter.calls,
        operations=operations,
        failures=failures,
        errors=errors,
        returncode=done.returncode,
        output=done.stdout + done.stderr,
    )


def summary(results: list[RunResult]) -> str:
    lines = [
        f"  {r.role:<10} {r.calls:>6} calls  {r.operations:>3} operations  "
        f"{r.failures} failures  {r.errors} errors"
        for r in results
    ]
    total = sum(r.calls for r in results)
    failed = sum(r.failures + r.errors for r in results)
    lines.append(f"  {'all':<10} {total:>6} calls  {failed} failures and errors")
    return "\n".join(lines)
