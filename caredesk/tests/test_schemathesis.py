"""Schemathesis, every check on, against a live server: as a customer contact, an engineer, a
partner engineer, an administrator and anonymously. A small run (a few examples per operation);
`make fuzz` makes thousands of calls the same way (scripts/fuzz.py)."""

import pytest

from caredesk.directory.models import ApiToken
from caredesk.tests import fuzzing

# Few examples per operation, in the phases that reach the handlers with varied data; the
# coverage phase's boundary cases for every field are `make fuzz`'s.
EXAMPLES = 2
PHASES = "examples,fuzzing,stateful"


@pytest.fixture
def run_tokens(cast, settings):
    # A run makes hundreds of calls a minute per token: the limit counts but never refuses.
    settings.API_RATE_PER_MINUTE = 1_000_000_000
    return fuzzing.make_run_tokens(cast.people)


def test_every_operation_passes_every_check_for_each_role(live_server, run_tokens, tmp_path):
    results = []
    keep = [t.id for t in run_tokens.values() if t.id is not None]
    for role, token in run_tokens.items():
        # One worker: on SQLite the live server's threads share the test database's connection.
        results.append(
            fuzzing.run_schemathesis(
                live_server.url,
                role,
                token,
                keep=keep,
                examples=EXAMPLES,
                phases=PHASES,
                workers=1,
                report_dir=tmp_path,
            )
        )
    print(f"\nSchemathesis, seed {fuzzing.SEED}:\n{fuzzing.summary(results)}")
    for r in results:
        assert r.clean, f"{r.role}: exit {r.returncode}\n{r.output[-20000:]}"
        assert r.operations >= 40, (r.role, r.operations)  # the whole document was tested
        assert r.calls >= 100, (r.role, r.calls)
    # Each run revoked its spare token and not the one it called with, so its calls were made
    # as its person to the end.
    people = [t for t in run_tokens.values() if t.key is not None]
    called_with = ApiToken.objects.filter(key_hash__in=[ApiToken.hash_key(t.key) for t in people])
    assert [t.revoked_at for t in called_with] == [None] * len(people)
    spares = ApiToken.objects.filter(pk__in=[t.spare_id for t in people])
    assert all(t.revoked_at is not None for t in spares) and len(spares) == len(people)
