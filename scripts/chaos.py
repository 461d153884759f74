"""Crash test: real work due while `manage.py worker` is SIGKILLed at random.

A fresh SQLite file (or the PostgreSQL database of DATABASE_URL, emptied by flush) gets its
load in waves at `--rate` a second:
- `--load tickets` (the default): real tickets, opened through the ticket service by a
  customer of the demo cast, with the demo's SLA clocks and escalation chains; each step that
  fires tells its people by email (a real SMTP server, aiosmtpd), SMS (the HTTP gateway) and
  WeCom (a group robot) — the two robots at the local receiver that checks signatures;
- `--load probes`: bare timers and as many WeCom robot messages.
One worker process runs them and is killed with SIGKILL `--kills` times at random moments
(0.1-0.6 s apart), restarted each time. The receiver goes down for `--outage` (simulated)
seconds once the load is in, while the chains climb.

Every process of the run reads one moved clock (caredesk/clock.py, CAREDESK_CLOCK_OFFSET_FILE)
that runs `--speed` times faster than the wall clock, so the chains' minutes, the outage, the
retry backoffs and the lease a killed worker leaves all pass, through the code that waits for
them in production. After the load the clock runs on for `--horizon` simulated seconds, jumps
one hour and stops moving fast; the run waits until nothing due is left. Afterwards every timer
due has exactly one effect (a probe's effect row; an escalation step's one outcome and one timeline
entry), and every message reached its receiver, counted by idempotency key. A message sent but
killed before its attempt was recorded is sent again once its lease is retaken: that is the
documented crash window, counted as a repeat.

    python scripts/chaos.py --tickets 300 --kills 5
"""

import argparse
import collections
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The longest a receiver outage is held past its simulated length waiting to refuse a message.
OUTAGE_REAL_CAP = 90.0
SEVERITIES = (("P1", 0.15), ("P2", 0.25), ("P3", 0.35), ("P4", 0.25))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--load", choices=("tickets", "probes"), default="tickets")
    p.add_argument("--tickets", type=int, default=3000, help="tickets (or probes) to queue")
    p.add_argument("--rate", type=float, default=50.0, help="tickets (or probes) per second")
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--deadline", type=float, default=600.0, help="seconds for the whole run")
    p.add_argument("--speed", type=float, default=30.0, help="simulated seconds per second")
    p.add_argument(
        "--outage", type=float, default=600.0, help="simulated seconds the receiver is down"
    )
    p.add_argument(
        "--horizon",
        type=float,
        default=7200.0,
        help="simulated seconds the clock runs on after the load",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    return p.parse_args()


class MovedClock:
    """The run's clock: `speed` times the wall clock while running, 1× once stopped."""

    def __init__(self, speed: float):
        from caredesk import clock

        self.clock, self.speed = clock, speed
        self.offset, self.since = 0.0, time.monotonic()
        self.running = True
        clock.set_offset(0.0)

    def tick(self) -> None:
        if self.running:
            now = time.monotonic()
            self.offset += (self.speed - 1.0) * (now - self.since)
            self.since = now
            self.clock.set_offset(self.offset)

    def simulated(self) -> float:
        """Simulated seconds since the run began."""
        return time.monotonic() - self.began + self.offset

    def start(self) -> None:
        """The run begins now: the setup before (the world, the load's first rows) is not run
        fast, so the simulated time and the offset both count from here."""
        self.began = self.since = time.monotonic()

    def stop(self, jump: float) -> None:
        """Stop running fast, after one jump of `jump` simulated seconds."""
        self.tick()
        self.offset += jump
        self.clock.set_offset(self.offset)
        self.running = False


def main() -> int:
    args = parse()
    folder = Path(tempfile.mkdtemp(prefix="caredesk-chaos-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["CAREDESK_SQLITE_PATH"] = str(folder / "chaos.sqlite3")
    os.environ["CAREDESK_CLOCK_OFFSET_FILE"] = str(folder / "clock-offset")
    os.environ["CAREDESK_AUDIT_CHECKPOINTS"] = str(folder / "audit-checkpoints.log")
    with socket.socket() as s:  # the SMTP server's port, named before settings read it
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    os.environ.update({"CAREDESK_EMAIL_HOST": "127.0.0.1", "CAREDESK_EMAIL_PORT": str(smtp_port)})
    import django

    django.setup()
    from django.core.management import call_command

    from caredesk.notify.tests.conftest import SmtpServer
    from caredesk.notify.tests.receivers import Receiver

    call_command("migrate", verbosity=0)
    if os.environ.get("DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    moved = MovedClock(args.speed)
    receiver = Receiver().start()
    smtp = SmtpServer(smtp_port).start()
    load = (TicketLoad if args.load == "tickets" else ProbeLoad)(receiver, rng)
    log = (folder / "worker.log").open("w")

    def start_worker(i: int) -> subprocess.Popen:
        command = [sys.executable, str(ROOT / "manage.py"), "worker", "--name", f"w{i}"]
        command += ["--idle", "0.05", "--batch", "50"]
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    moved.start()
    begin = time.monotonic()
    end = begin + args.deadline
    kills = 0
    proc = start_worker(kills)

    def kill_and_restart() -> None:
        nonlocal kills, proc
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
        proc = start_worker(kills)  # named by how many came before it

    next_kill = time.monotonic() + rng.uniform(0.1, 0.6)
    wave = max(1, int(args.rate / 10))
    outage = {"began": None, "done": not args.outage}

    def follow_outage() -> None:
        """The receiver goes down when the load is in, for `--outage` simulated seconds: the
        chains still climbing then send their SMS and robot messages into the outage."""
        if outage["done"] or load.queued < args.tickets:
            return
        if outage["began"] is None:
            receiver.stop()
            outage["began"], outage["real"] = moved.simulated(), time.monotonic()
        elif moved.simulated() - outage["began"] >= args.outage and refused_or_long():
            receiver.start()
            outage["done"] = True

    def refused_or_long() -> bool:
        """The outage ends once it has refused a message, so a worker running behind (a busy
        machine) still meets it; or after OUTAGE_REAL_CAP real seconds, whichever comes first."""
        from caredesk.notify.models import Attempt

        if time.monotonic() - outage["real"] > OUTAGE_REAL_CAP:
            return True
        return Attempt.objects.filter(outcome="retry").exists()

    while load.queued < args.tickets and time.monotonic() < end:
        load.queue(min(wave, args.tickets - load.queued))
        moved.tick()
        follow_outage()
        time.sleep(max(0.0, begin + load.queued / args.rate - time.monotonic()))
        if kills < args.kills and time.monotonic() >= next_kill:
            kill_and_restart()
            next_kill = time.monotonic() + rng.uniform(0.1, 0.6)
    load_seconds = time.monotonic() - begin
    load_ended = moved.simulated()
    while time.monotonic() < end and (
        not outage["done"] or kills < args.kills or moved.simulated() < load_ended + args.horizon
    ):
        time.sleep(0.05)
        moved.tick()
        follow_outage()
        if kills < args.kills and time.monotonic() >= next_kill:  # kills left once the load is in
            kill_and_restart()
            next_kill = time.monotonic() + rng.uniform(0.1, 0.6)
    if not outage["done"]:
        receiver.start()
    # One last hour at once, past every retry's backoff (30 s doubling, so a message refused
    # late in the outage may wait 8 min) and a killed worker's leases (5 min): whatever was
    # pending by then is due, and the run waits until it is done.
    moved.stop(jump=3600.0)
    while not load.drained() and time.monotonic() < end:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)
    receiver.stop()
    smtp.stop()

    from caredesk.notify.models import Attempt

    figures = {
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "load": args.load,
        "queued": load.queued,
        "kills": kills,
        "rate_reached": round(load.queued / load_seconds, 1),
        "clock_speed": args.speed,
        "simulated_minutes": round(moved.simulated() / 60, 1),
        **load.figures(smtp),
        "receiver_down_simulated_s": args.outage,
        "attempts": dict(collections.Counter(Attempt.objects.values_list("outcome", flat=True))),
        "seconds": round(time.monotonic() - begin, 1),
    }
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    return 0 if load.passed(figures) else 1


def _timers_left() -> int:
    """Timers due by now and not done (a killed worker's claims are retaken when their lease
    ends on the moved clock; nothing here clears them)."""
    from caredesk import clock
    from caredesk.timers.models import DueAction

    return DueAction.objects.filter(done_at__isnull=True, due_at__lte=clock.now()).count()


def _messages_left() -> int:
    from caredesk.notify.models import Message

    return Message.objects.exclude(state__in=("sent", "dead")).count()


def _message_figures(receiver, smtp) -> dict:
    from caredesk.notify.models import Message

    seen = collections.Counter(receiver.delivered)
    for _rcpts, mail in smtp.inbox.messages:
        seen[str(mail["X-CareDesk-Idempotency-Key"]).strip()] += 1  # folded: a leading space
    sent = set(Message.objects.filter(state="sent").values_list("idempotency_key", flat=True))
    return {
        "messages": Message.objects.count(),
        "messages_by_channel": dict(
            collections.Counter(Message.objects.values_list("channel", flat=True))
        ),
        "messages_dead": Message.objects.filter(state="dead").count(),
        "messages_pending": _messages_left(),
        "messages_delivered_once": sum(1 for k in sent if seen[k] == 1),
        "messages_repeated": sum(1 for k in sent if seen[k] > 1),
        "messages_lost": sum(1 for k in sent if seen[k] == 0),
    }


class ProbeLoad:
    """Bare timers (a probe writes one effect row) and as many WeCom robot messages."""

    def __init__(self, receiver, rng):
        from caredesk.notify.models import Endpoint

        self.queued = 0
        self.receiver = receiver
        self.endpoint = Endpoint.objects.create(
            name="chaos",
            kind="wecom",
            url=receiver.wecom_url,
            secret=receiver.secret,
            rate_per_minute=1_000_000,
        )

    def queue(self, count: int) -> None:
        from django.db import transaction

        from caredesk import clock
        from caredesk.notify import outbox
        from caredesk.timers.models import DueAction
        from caredesk.timers.services import PROBE

        now, first = clock.now(), self.queued
        with transaction.atomic():
            DueAction.objects.bulk_create(
                [DueAction(kind=PROBE, subject=f"t{first + i}", due_at=now) for i in range(count)]
            )
            outbox.enqueue_many(
                [
                    outbox.prepare(
                        channel="wecom",
                        template="ticket_resolved",
                        key=f"chaos-{first + i}",
                        endpoint=self.endpoint,
                        context={"ticket": f"t{first + i}"},
                    )
                    for i in range(count)
                ]
            )
        self.queued += count

    def drained(self) -> bool:
        return _timers_left() == 0 and _messages_left() == 0

    def figures(self, smtp) -> dict:
        from django.db.models import Count

        from caredesk.timers.models import ProbeEffect

        effects = dict(ProbeEffect.objects.values_list("action_id").annotate(n=Count("id")))
        return {
            "timers_pending": _timers_left(),
            "timers_fired_once": sum(1 for n in effects.values() if n == 1),
            "timers_repeated": sum(1 for n in effects.values() if n > 1),
            **_message_figures(self.receiver, smtp),
        }

    def passed(self, f: dict) -> bool:
        return (
            f["timers_fired_once"] == self.queued
            and f["timers_pending"] == 0
            and f["messages_lost"] == 0
            and f["messages_pending"] == 0
        )


class TicketLoad:
    """Real tickets with the demo's clocks and escalation chains."""

    def __init__(self, receiver, rng):
        from caredesk.demo.world import build_world
        from caredesk.escalation import demo as escalation_demo
        from caredesk.notify.models import Endpoint

        self.queued, self.rng, self.receiver = 0, rng, receiver
        self.world = build_world()
        escalation_demo.setup(self.world)
        # The robots every escalation message takes: one WeCom group and the SMS gateway for
        # everybody, both at the local receiver, which checks their signatures.
        for name, kind, url in (
            ("chaos WeCom", "wecom", receiver.wecom_url),
            ("chaos SMS", "webhook", receiver.webhook_url),
        ):
            Endpoint.objects.create(
                name=name, kind=kind, url=url, secret=receiver.secret, rate_per_minute=1_000_000
            )
        people, orgs = self.world["people"], self.world["orgs"]
        self.requester = people["customer.y"]
        self.customer = self.requester.organisation
        self.products = list(self.world["products"].values())
        self.regions = list(self.world["regions"].values())
        assert self.customer == orgs["lakeside"] or self.customer.parent_id, self.customer

    def queue(self, count: int) -> None:
        from caredesk.tickets.services import open_ticket

        names, weights = zip(*SEVERITIES, strict=True)
        for _ in range(count):
            n = self.queued
            open_ticket(
                actor=self.requester,
                requester=self.requester,
                customer_org=self.customer,
                product=self.products[n % len(self.products)],
                region=self.regions[n % len(self.regions)],
                severity=self.rng.choices(names, weights)[0],
                title=f"混沌测试工单 {n}",
                customer_voice=f"第 {n} 号：链路中断，请尽快处理。",
                channel="portal",
            )
            self.queued += 1

    def drained(self) -> bool:
        return _timers_left() == 0 and _messages_left() == 0

    def figures(self, smtp) -> dict:
        from caredesk.escalation.models import EscalationRun
        from caredesk.tickets.models import TimelineEntry

        states = collections.Counter()
        for step_states in EscalationRun.objects.values_list("step_states", flat=True):
            states.update(step_states)
        entries = collections.Counter(
            (d["run"], d["step"])
            for d in TimelineEntry.objects.filter(kind="escalated").values_list("data", flat=True)
        )
        return {
            "tickets": self.queued,
            "chains": EscalationRun.objects.count(),
            "steps_fired": states["fired"],
            "steps_caught_up": states["caught_up"],
            "steps_skipped": states["skipped"],
            "steps_cancelled": states["cancelled"],
            "steps_pending": states["pending"],
            "escalation_entries": sum(entries.values()),
            "escalation_entries_repeated": sum(1 for n in entries.values() if n > 1),
            "timers_pending": _timers_left(),
            **_message_figures(self.receiver, smtp),
        }

    def passed(self, f: dict) -> bool:
        return (
            f["tickets"] > 0
            and f["steps_fired"] > 0
            and f["escalation_entries"] == f["steps_fired"]
            and f["escalation_entries_repeated"] == 0
            and f["timers_pending"] == 0
            and f["messages_lost"] == 0
            and f["messages_pending"] == 0
            and f["messages_dead"] == 0
        )


if __name__ == "__main__":
    sys.exit(main())
