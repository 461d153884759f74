"""`make fuzz`: Schemathesis against a freshly migrated CareDesk, as each role and anonymously.

    python scripts/fuzz.py [--examples N] [--workers N] [--keep]

Makes a new SQLite database in a temporary folder (the one in var/ is never touched), migrates
it, loads the demo, serves it on a free loopback port from this process and runs every check of
caredesk/tests/fuzzing.py with many examples per operation. Prints the calls made and the
failures; exits non-zero on any failure. Not part of `make test`: it takes several minutes.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MIN_CALLS = 5000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=10, help="per operation and phase")
    parser.add_argument("--workers", type=int, default=2, help="Schemathesis workers")
    parser.add_argument("--keep", action="store_true", help="keep the database and reports")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="caredesk-fuzz."))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="caredesk.settings",
        DATABASE_URL="",
        CAREDESK_SQLITE_PATH=str(folder / "fuzz.sqlite3"),
        # Thousands of calls a minute per token: the limit counts but never refuses.
        CAREDESK_API_RATE_PER_MINUTE="1000000000",
        # Each refused call would log a warning ("Unauthorized: …"); server errors still show.
        CAREDESK_LOG_LEVEL="ERROR",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    from caredesk.demo.world import load_demo
    from caredesk.directory.models import Person
    from caredesk.tests import fuzzing

    call_command("migrate", interactive=False, verbosity=0)
    load_demo()
    people = {p.username: p for p in Person.objects.all()}
    tokens = fuzzing.make_run_tokens(people)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    print(f"fuzz: {base_url}, database {folder}, seed {fuzzing.SEED}", flush=True)

    keep = [t.id for t in tokens.values() if t.id is not None]
    results = []
    started = time.monotonic()
    try:
        for role, token in tokens.items():
            began = time.monotonic()
            result = fuzzing.run_schemathesis(
                base_url,
                role,
                token,
                keep=keep,
                examples=args.examples,
                workers=args.workers,
                report_dir=folder,
            )
            results.append(result)
            print(
                f"fuzz: {role}: {result.calls} calls, {result.failures} failures, "
                f"{result.errors} errors, exit {result.returncode}, "
                f"{time.monotonic() - began:.0f} s",
                flush=True,
            )
            if not result.clean:
                print(result.output, flush=True)
    finally:
        server.shutdown()
        server.server_close()
    total = sum(r.calls for r in results)
    print(f"fuzz: done in {time.monotonic() - started:.0f} s\n{fuzzing.summary(results)}")
    if args.keep:
        print(f"fuzz: kept {folder}")
    else:
        shutil.rmtree(folder)
    if total < MIN_CALLS:
        print(f"fuzz: only {total} calls; at least {MIN_CALLS} expected (raise --examples)")
        return 1
    return 0 if all(r.clean for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
