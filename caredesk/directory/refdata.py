"""Reference data held in process memory: the organisation tree, products, regions, the
responsibility matrix (and, registered by their apps, SLA and escalation policies).

Every ticket verb and page needs them and they change a few times a day, so each process keeps
a copy. The copy is exact, not "fresh enough": every write to a watched table replaces a random
generation token in the database, in the writer's transaction. A process reads the token once
per request (or worker pass, or second outside both) with one tiny statement and drops its copy
when the token moved; it reads the token before the tables, so a copy is never newer-labelled
than its contents. A process that writes reference data labels its fresh copy with its own new
token: if that transaction rolls back, the database keeps the old token and the next check
drops the copy (until then, the rest of that failed request may see what it wrote).

Loaders return plain structures (or model instances treated as read-only).
"""

import copy
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

CHECK_EVERY = 1.0  # seconds, for processes outside requests (workers, shells)
TABLE = "directory_refgeneration"
NEVER = float("-inf")  # "checked" before any moment: the next use reads the token

_local = threading.local()


def _state() -> dict:
    st = getattr(_local, "st", None)
    if st is None:
        st = _local.st = {"token": None, "checked": NEVER, "data": {}, "request": False}
    return st


def new_scope(**_kwargs) -> None:
    """A request or worker pass begins: check the token again before the next use."""
    _state()["checked"] = NEVER


def _request_started(**_kwargs) -> None:
    """A request reads the token once, however long it runs (its queries stay one count)."""
    new_scope()
    _state()["request"] = True


def _request_finished(**_kwargs) -> None:
    _state()["request"] = False


def reset() -> None:
    """Forget everything held by this thread (tests)."""
    _local.st = None


def _read_token() -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT token FROM {TABLE} WHERE id = 1")
        row = cur.fetchone()
    return row[0] if row else 0


def get(name: str, loader: Callable[[], Any]) -> Any:
    """The cached value `name`, loaded by `loader` when missing or out of date."""
    st = _state()
    now = time.monotonic()
    due = st["checked"] == NEVER if st["request"] else now - st["checked"] > CHECK_EVERY
    if due:
        token = _read_token()
        st["checked"] = now
        if token != st["token"]:
            st["data"] = {}
            st["token"] = token
    data = st["data"]
    if name not in data:
        data[name] = loader()
    return data[name]


def bump(**_kwargs) -> None:
    """A watched table changed: a new token for every process, and an empty copy here."""
    token = secrets.randbits(62)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET token = %s WHERE id = 1", [token])
        if cur.rowcount == 0:
            cur.execute(f"INSERT INTO {TABLE} (id, token) VALUES (1, %s)", [token])
    st = _state()
    st["data"] = {}
    st["token"] = token
    st["checked"] = time.monotonic()


def watch(*models, deletes_only: bool = False) -> None:
    """Writes to these models (saves and deletes, cascades included) bump the token. Bulk
    writes (queryset.update, bulk_create) send no signals: call bump() after them."""
    for model in models:
        if not deletes_only:
            uid = f"refdata-save-{model._meta.label}"
            post_save.connect(bump, sender=model, dispatch_uid=uid)
        post_delete.connect(bump, sender=model, dispatch_uid=f"refdata-del-{model._meta.label}")
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            uid = f"refdata-m2m-{through._meta.label}"
            m2m_changed.connect(bump, sender=through, dispatch_uid=uid)


request_started.connect(_request_started, dispatch_uid="refdata-scope")
request_finished.connect(_request_finished, dispatch_uid="refdata-scope-end")


# ---------------------------------------------------------------- the directory's own data


def _orgs() -> dict:
    from .models import Organisation

    by_id = {o.pk: o for o in Organisation.objects.all()}
    children: dict[int, list[int]] = {}
    for o in by_id.values():
        if o.parent_id is not None:
            children.setdefault(o.parent_id, []).append(o.pk)
    return {"by_id": by_id, "children": children, "lineage": {}, "subtree": {}}


def _own(instance):
    """A copy for the caller: whatever it caches on the instance (related rows fetched
    later) must not outlive the request in the shared copy."""
    return copy.copy(instance) if instance is not None else None


def organisation(org_id: int):
    """The organisation, or None."""
    return _own(get("orgs", _orgs)["by_id"].get(org_id))


def lineage(org_id: int) -> tuple[int, ...]:
    """The organisation and all its ancestors, nearest first."""
    orgs = get("orgs", _orgs)
    found = orgs["lineage"].get(org_id)
    if found is None:
        found, at = [], orgs["by_id"].get(org_id)
        while at is not None and at.pk not in found:
            found.append(at.pk)
            at = orgs["by_id"].get(at.parent_id)
        found = orgs["lineage"][org_id] = tuple(found or [org_id])
    return found


def subtree(org_id: int) -> tuple[int, ...]:
    """The organisation and every organisation below it."""
    orgs = get("orgs", _orgs)
    found = orgs["subtree"].get(org_id)
    if found is None:
        found, frontier = [org_id], [org_id]
        while frontier:
            frontier = [c for p in frontier for c in orgs["children"].get(p, ()) if c not in found]
            found.extend(frontier)
        found = orgs["subtree"][org_id] = tuple(found)
    return found


def _catalogue() -> dict:
    from .models import Product, Region, Responsibility

    products = list(Product.objects.all())
    regions = list(Region.objects.all())
    return {
        "product": {p.pk: p for p in products},
        "product_code": {p.code: p for p in products},
        "region": {r.pk: r for r in regions},
        "region_code": {r.code: r for r in regions},
        "cell": {(c.product_id, c.region_id): c for c in Responsibility.objects.all()},
    }


def product(pk: int | None = None, code: str | None = None):
    data = get("catalogue", _catalogue)
    return _own(data["product"].get(pk) if code is None else data["product_code"].get(code))


def region(pk: int | None = None, code: str | None = None):
    data = get("catalogue", _catalogue)
    return _own(data["region"].get(pk) if code is None else data["region_code"].get(code))


def cell(product_id: int, region_id: int):
    """The responsibility matrix cell (ids only: primary_id, backup_id, team_id), or None."""
    return get("catalogue", _catalogue)["cell"].get((product_id, region_id))


def matrix_ids(product_id: int, region_id: int) -> tuple[int | None, int | None, int | None]:
    """Whom the matrix names for a product in a region, as person ids, in the order they are
    turned to: the cell's primary and backup, then the region's service manager (any may be
    None). The people themselves are read fresh by the caller."""
    data = get("catalogue", _catalogue)
    found = data["cell"].get((product_id, region_id))
    region = data["region"].get(region_id)
    return (
        found.primary_id if found else None,
        found.backup_id if found else None,
        region.service_manager_id if region else None,
    )


def _assignments() -> list[tuple[str, int, int | None, int | None, int | None, int]]:
    from .models import RoleAssignment

    fields = ("role", "person_id", "customer_org_id", "region_id", "product_id", "pk")
    return list(RoleAssignment.objects.order_by("pk").values_list(*fields))


def role_holders(
    role: str, *, customer_org_id: int, region_id: int | None, product_id: int | None
) -> list[int]:
    """The people assigned `role` for a ticket's scope, most specific first (person ids).

    An assignment covers the ticket when each of its scopes is empty or matches: its customer
    organisation is the ticket's or one above it (a province's assignment covers its branches),
    its region and product are the ticket's. Nearer organisations beat farther ones, then a
    named region, then a named product; ties keep the order they were made in."""
    line = lineage(customer_org_id)
    ranked = []
    for a_role, person_id, org_id, a_region, a_product, pk in get("assignments", _assignments):
        if a_role != role:
            continue
        if org_id is not None and org_id not in line:
            continue
        if a_region is not None and a_region != region_id:
            continue
        if a_product is not None and a_product != product_id:
            continue
        distance = line.index(org_id) if org_id is not None else len(line)
        ranked.append((distance, a_region is None, a_product is None, pk, person_id))
    ranked.sort()
    seen: list[int] = []
    for *_rank, person_id in ranked:
        if person_id not in seen:
            seen.append(person_id)
    return seen
