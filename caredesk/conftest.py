"""The fixed cast every test starts from: the demo's organisations, people and matrix.

`cast.b` is engineer.b, `cast.y` customer.y, and so on; `cast.orgs`, `cast.products`,
`cast.regions` hold the rest. Tickets are made by each test through the services.
"""

import datetime as dt
import itertools
import json
import shutil
import tempfile
import types

import pytest
from django.conf import settings


def pytest_configure(config):
    # Hashing demo passwords with PBKDF2 would cost seconds per test; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The audit chain's key is the tests' own (and so are the checkpoint logs, below)..
    settings.AUDIT_KEY = "caredesk-tests-audit-key-0123456789abcdef"


_checkpoint_dir = tempfile.mkdtemp(prefix="caredesk-test-checkpoints.")
_checkpoint_logs = itertools.count()


def pytest_unconfigure(config):
    shutil.rmtree(_checkpoint_dir, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_audit_checkpoints():
    """Each test's sealer writes its own checkpoint log: lines vouching for another test's
    chain would read as tampering."""
    saved = settings.AUDIT_CHECKPOINTS
    settings.AUDIT_CHECKPOINTS = f"{_checkpoint_dir}/{next(_checkpoint_logs)}.log"
    yield
    settings.AUDIT_CHECKPOINTS = saved


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Each test starts with no cached reference data (a rolled-back test's copy is gone)."""
    from caredesk.directory import refdata

    refdata.reset()
    yield
    refdata.reset()


@pytest.fixture
def one_refdata_check(monkeypatch):
    """Reference data checked exactly once per scope, as a request does: outside a request the
    cache rereads its token once a second of real time, so a count of queries taken across
    that boundary would read one more. Returns the call that opens a scope (a new request)."""
    from caredesk.directory import refdata

    monkeypatch.setattr(refdata, "CHECK_EVERY", 3600.0)
    return refdata.new_scope


SHORT = {
    "manager.a": "a",
    "engineer.b": "b",
    "engineer.c": "c",
    "partner.d": "d",
    "leader.p": "p",
    "spm.s": "s",
    "head.w": "w",
    "hotline.h": "h",
    "customer.x": "x",
    "customer.y": "y",
    "customer.z": "z",
    "customer.o": "o",
    "admin": "admin",
}


def build_cast():
    from caredesk.demo.world import build_world

    world = build_world()
    cast = types.SimpleNamespace(**{SHORT[u]: p for u, p in world["people"].items()})
    cast.orgs = types.SimpleNamespace(**world["orgs"])
    cast.products = types.SimpleNamespace(**world["products"])
    cast.regions = types.SimpleNamespace(**world["regions"])
    cast.people = world["people"]
    cast.teams = world["teams"]
    cast.world = world
    return cast


def _seed_data_of_migrations() -> None:
    """Rows a data migration seeds (the complaint taxonomy), put back when a transactional test
    before this one flushed them away with everything else."""
    import importlib

    from django.apps import apps

    from caredesk.complaints.models import Category

    if not Category.objects.exists():
        importlib.import_module("caredesk.complaints.migrations.0002_seed_categories").seed(
            apps, None
        )


@pytest.fixture
def cast(db):
    _seed_data_of_migrations()
    return build_cast()


@pytest.fixture
def open_request(cast):
    """A factory: customer.y's portal request for a product in Lakeside (routed by the matrix)."""
    from caredesk.tickets import services

    def make(actor=None, product="core", region="lakeside", **extra):
        values = {
            "actor": actor or cast.y,
            "customer_org": cast.orgs.lakeside,
            "product": getattr(cast.products, product),
            "region": getattr(cast.regions, region),
            "severity": "P2",
            "channel": "portal",
            "title": "Base station keeps dropping calls",
            "customer_voice": "Since this morning calls drop every few minutes.",
        }
        values.update(extra)
        return services.open_ticket(**values)

    return make


class ApiClient:
    """Calls /api/v1 as one person, with a real bearer token made the way createtoken does."""

    def __init__(self, person):
        from django.test import Client

        from caredesk.directory.models import ApiToken

        key = ApiToken.new_key()
        ApiToken.objects.create(person=person, key_hash=ApiToken.hash_key(key), prefix=key[:10])
        self.person = person
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    def _call(self, method, path, body=None):
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path):
        return self._call("get", path)

    def post(self, path, body=None):
        return self._call("post", path, body if body is not None else {})

    def patch(self, path, body):
        return self._call("patch", path, body)

    def put(self, path, body):
        return self._call("put", path, body)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api(cast):
    """api(cast.y).post("/tickets", {...}) — one API client per person, made on demand."""
    made = {}

    def client_for(person):
        if person.pk not in made:
            made[person.pk] = ApiClient(person)
        return made[person.pk]

    return client_for


# A Tuesday morning in Shanghai, outside any holiday.
T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def at():
    """at(minutes) freezes the clock T0 + minutes and runs the due timers there."""
    from caredesk import clock
    from caredesk.timers.services import run_due

    frozen = []

    def move(minutes: float, *, fire: bool = True):
        moment = T0 + dt.timedelta(minutes=minutes)
        if frozen:
            frozen.pop().__exit__(None, None, None)
        ctx = clock.frozen_at(moment)
        ctx.__enter__()
        frozen.append(ctx)
        if fire:
            while run_due(worker="test", now=moment):
                pass
        return moment

    yield move
    if frozen:
        frozen.pop().__exit__(None, None, None)


# Real receivers for delivery: an SMTP server and the vendors' robot stand-in.
from caredesk.notify.tests.conftest import receiver, robot, smtp, smtp_port  # noqa: E402, F401
