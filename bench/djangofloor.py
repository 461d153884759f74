"""The bare-Django floor of bench_peer: the same work as a CareDesk request, done by a minimal view.

For each HTTP operation bench_peer measures, `record()` sends one request through CareDesk's
whole stack (Django's test client, every middleware) and writes down every SQL statement it
sent — text, parameters, and which ones ran inside one transaction — and the bytes it
answered. A second gunicorn (same Django, same settings but for no middleware and this
module's URLconf, same worker count) then serves `/floor/<operation>`: a view that sends those
statements through Django's own cursor, fetches what each returns, and answers with the
recorded bytes. What is left between the two is CareDesk's own work per request: the ORM
building and compiling its statements, middleware, permission checks, serialisers and
templates. A write (the create) is replayed with fresh keys (a new ticket number, the new
ticket's id in the rows that point at it), as bench_floor does, so every replay writes real
rows under the same constraints.

Not a benchmark itself (no bench_ prefix): bench_peer drives it.
"""

import itertools
import os
import pickle
from pathlib import Path

RECORDING_ENV = "CAREDESK_FLOOR_RECORDING"


# ------------------------------------------------------------------ recording (bench_peer's child)


def _capture(call) -> dict:
    """Run `call()` (one test-client request) and return its statements and its answer."""
    from django.db import connection

    statements: list[dict] = []

    def spy(execute, sql, params, many, context):
        blocks = connection.atomic_blocks
        statements.append(
            {
                "sql": sql,
                "params": list(params) if params is not None and not many else params,
                "many": many,
                # The outermost atomic block this ran in (None: autocommit). A decorator's
                # Atomic is one object for every call, so back-to-back calls read as one block.
                "block": id(blocks[0]) if blocks else None,
            }
        )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        response = call()
    if any(s["many"] for s in statements):  # executemany's rows, made a list to be kept
        for s in statements:
            if s["many"]:
                s["params"] = [list(p) for p in s["params"]]
    blocks = {}
    for s in statements:  # block ids are only meaningful inside this process: renumber them
        if s["block"] is not None:
            s["block"] = blocks.setdefault(s["block"], len(blocks) + 1)
    return {
        "statements": statements,
        "status": response.status_code,
        "content_type": response.get("Content-Type", "text/html"),
        "body": response.content,
    }


def record(token: str, session: str, create_body: dict, path: Path) -> dict:
    """Record create, list and view (each the second of two identical calls, so caches are as
    warm as under load) and pickle them to `path`; returns {operation: statement count}."""
    import json

    from django.test import Client

    from caredesk.tickets.models import Ticket

    # The host the benchmark's servers are reached by (the test client's own is not allowed).
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    page = Client(HTTP_HOST="127.0.0.1")
    page.cookies["sessionid"] = session

    def create():
        return api.post("/api/v1/tickets", json.dumps(create_body), "application/json")

    def listing():
        return api.get("/api/v1/tickets", {"status": "open", "limit": 25})

    create()
    made = _capture(create)
    assert made["status"] == 201, made["body"][:300]
    number = json.loads(made["body"])["number"]
    ticket = Ticket.objects.get(number=number)
    made["ticket_id"], made["number"] = ticket.pk, number

    def view():
        return page.get(f"/t/{number}/")

    listing()
    listed = _capture(listing)
    view()
    viewed = _capture(view)
    for what, rec in (("list", listed), ("view", viewed)):
        assert rec["status"] == 200, (what, rec["body"][:300])
    recording = {"create": made, "list": listed, "view": viewed}
    path.write_bytes(pickle.dumps(recording))
    return {k: len(v["statements"]) for k, v in recording.items()}


# ------------------------------------------------------------------ the floor server


def _fresh_value(value, old_id: int, new_id, old_number: str, new_number: str):
    if new_id is not None and type(value) is int and value == old_id:
        return new_id
    if isinstance(value, str):
        if new_id is not None and value == str(old_id):
            return str(new_id)
        if old_number in value:
            return value.replace(old_number, new_number)
    if isinstance(value, list):
        return [_fresh_value(v, old_id, new_id, old_number, new_number) for v in value]
    return value


_serial = itertools.count()


def _replay(rec: dict, fresh: bool) -> None:
    from django.db import connection, transaction

    old_id, old_number = rec.get("ticket_id", 0), rec.get("number", "\0")
    i = next(_serial)
    # The same length as a real number, unique across the server's processes.
    new_number = f"F{os.getpid() % 100000:05d}{i:08d}"[: len(old_number)] if fresh else ""
    new_id = None
    groups = itertools.groupby(rec["statements"], key=lambda s: s["block"])
    with connection.cursor() as cursor:
        for block, statements in groups:
            with transaction.atomic() if block is not None else _nothing():
                for s in statements:
                    params = s["params"]
                    if fresh:
                        params = _fresh_value(params, old_id, new_id, old_number, new_number)
                    if s["many"]:
                        cursor.executemany(s["sql"], params)
                    else:
                        cursor.execute(s["sql"], params)
                    if cursor.description is not None:
                        rows = cursor.fetchall()
                        if fresh and s["sql"].startswith('INSERT INTO "tickets_ticket"'):
                            new_id = rows[0][0]


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_recording: dict | None = None


def floor_view(request, operation: str):
    from django.http import Http404, HttpResponse

    global _recording
    if _recording is None:
        _recording = pickle.loads(Path(os.environ[RECORDING_ENV]).read_bytes())
    rec = _recording.get(operation)
    if rec is None:
        raise Http404
    _replay(rec, fresh=operation == "create")
    return HttpResponse(rec["body"], status=rec["status"], content_type=rec["content_type"])


def _urls():
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    return [path("floor/<str:operation>", csrf_exempt(floor_view))]


def floor_tickets(database_url: str) -> int:
    """How many tickets the floor's create replays wrote (their numbers start with F): the
    proof that each replay did the write it stands for."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT count(*) FROM tickets_ticket WHERE number LIKE 'F%'").fetchone()
    return row[0]


urlpatterns = _urls() if os.environ.get(RECORDING_ENV) else []
