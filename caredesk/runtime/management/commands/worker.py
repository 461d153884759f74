"""`manage.py worker`: the loop that keeps CareDesk's promises — runs every loop the apps
registered (caredesk.loops): due timers (escalations, clocks, auto-close), the outbox, then
the audit sealer.
Run one beside the web server; on PostgreSQL run as many as you like. SIGTERM/SIGINT stop it
after the batch in hand."""

import datetime as dt
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand, CommandError

from caredesk import loops
from caredesk.directory import refdata
from caredesk.runtime.heartbeat import Heart


class Command(BaseCommand):
    help = "Fire due timers and deliver queued notifications until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=200)
        parser.add_argument("--idle", type=float, default=0.25, help="Seconds to wait when idle.")
        parser.add_argument("--once", action="store_true", help="One pass over every loop.")
        parser.add_argument(
            "--lease",
            type=float,
            default=120.0,
            help="Seconds a claim holds before another worker may retake the rows.",
        )
        parser.add_argument("--name", default="", help="Worker name in claims (default host:pid).")

    def handle(self, *args, batch, idle, once, name, lease, **options):
        if batch < 1 or idle <= 0 or lease <= 0:
            raise CommandError("--batch, --idle and --lease take positive numbers")
        worker = name or f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        heart = Heart(worker)
        if not once:
            heart.tick(force=True)
            self.stdout.write(f"worker {worker} started")
        while not stop.is_set():
            refdata.new_scope()
            done = loops.run_pass(worker=worker, batch=batch, lease=dt.timedelta(seconds=lease))
            if once:
                self.stdout.write(f"{done} done")
                return
            heart.tick(done)
            if not done:
                stop.wait(idle)
        heart.stop()
        self.stdout.write(f"worker {worker} stopped")
