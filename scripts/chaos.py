"""Crash test: due timers and robot messages while `manage.py worker` is SIGKILLed at random.

A fresh SQLite file (or the PostgreSQL database of DATABASE_URL, emptied by flush) gets
`--tickets` timers and as many WeCom robot messages, queued in waves at `--rate` a second.
One worker process runs them and is killed with SIGKILL `--kills` times at random moments
(0.1-0.6 s apart), restarted each time; the local receiver (caredesk/notify/tests/receivers.py)
is down for `--outage` seconds a third of the way in. Afterwards every timer has exactly one
effect row and every message reached the receiver, counted by idempotency key. A message sent
but killed before its attempt was recorded is sent again once its lease is retaken: that is
the documented crash window, counted as a repeat.

    python scripts/chaos.py --tickets 300 --kills 5
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tickets", type=int, default=3000)
    p.add_argument("--rate", type=float, default=50.0, help="timers and messages per second")
    p.add_argument("--kills", type=int, default=50)
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole run")
    p.add_argument("--outage", type=float, default=3.0, help="seconds the receiver is down")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    return p.parse_args()


def main() -> int:
    args = parse()
    folder = Path(tempfile.mkdtemp(prefix="caredesk-chaos-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["CAREDESK_SQLITE_PATH"] = str(folder / "chaos.sqlite3")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count

    from caredesk import clock
    from caredesk.notify import outbox
    from caredesk.notify.models import Attempt, Endpoint, Message
    from caredesk.notify.tests.receivers import Receiver
    from caredesk.timers.models import DueAction, ProbeEffect
    from caredesk.timers.services import PROBE

    call_command("migrate", verbosity=0)
    if os.environ.get("DATABASE_URL"):
        call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(args.seed)
    receiver = Receiver().start()
    endpoint = Endpoint.objects.create(
        name="chaos",
        kind="wecom",
        url=receiver.wecom_url,
        secret=receiver.secret,
        rate_per_minute=1_000_000,
    )
    log = (folder / "worker.log").open("w")

    def start_worker(i: int) -> subprocess.Popen:
        command = [sys.executable, str(ROOT / "manage.py"), "worker", "--name", f"w{i}"]
        command += ["--idle", "0.05", "--batch", "50"]
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    queued = 0

    def queue_wave(count: int) -> None:
        nonlocal queued
        now = clock.now()
        with transaction.atomic():
            DueAction.objects.bulk_create(
                [DueAction(kind=PROBE, subject=f"t{queued + i}", due_at=now) for i in range(count)]
            )
            outbox.enqueue_many(
                [
                    outbox.prepare(
                        channel="wecom",
                        template="ticket_resolved",
                        key=f"chaos-{queued + i}",
                        endpoint=endpoint,
                        context={"ticket": f"t{queued + i}"},
                    )
                    for i in range(count)
                ]
            )
        queued += count

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
    outage_began, outage_done = None, False
    while queued < args.tickets and time.monotonic() < end:
        queue_wave(min(wave, args.tickets - queued))
        if args.outage and not outage_done and queued >= args.tickets // 3:
            if outage_began is None:  # the receiver goes down a third of the way in
                receiver.stop()
                outage_began = time.monotonic()
            elif time.monotonic() - outage_began >= args.outage:
                receiver.start()
                outage_done = True
        time.sleep(max(0.0, begin + queued / args.rate - time.monotonic()))
        if kills < args.kills and time.monotonic() >= next_kill:
            kill_and_restart()
            next_kill = time.monotonic() + rng.uniform(0.1, 0.6)
    load_seconds = time.monotonic() - begin
    if outage_began is not None and not outage_done:
        receiver.start()
    while kills < args.kills and time.monotonic() < end:  # kills left once the load is in
        time.sleep(rng.uniform(0.1, 0.6))
        kill_and_restart()

    def drained() -> bool:
        return (
            not DueAction.objects.filter(done_at__isnull=True).exists()
            and not Message.objects.exclude(state="sent").exists()
        )

    # A killed worker's claims wait out their lease (timers 30 s by default, messages 5 min),
    # and messages refused during the outage wait out their backoff: as if ten minutes had
    # passed, both are made due now.
    DueAction.objects.filter(done_at__isnull=True).update(claimed_until=None)
    Message.objects.exclude(state="sent").update(claimed_until=None, next_attempt_at=clock.now())
    while not drained() and time.monotonic() < end:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGTERM)
    proc.wait(timeout=60)
    receiver.stop()

    effects = dict(ProbeEffect.objects.values_list("action_id").annotate(n=Count("id")))
    delivered = receiver.delivered
    figures = {
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "queued": queued,
        "kills": kills,
        "rate_reached": round(queued / load_seconds, 1),
        "timers_pending": DueAction.objects.filter(done_at__isnull=True).count(),
        "timers_fired_once": sum(1 for n in effects.values() if n == 1),
        "timers_repeated": sum(1 for n in effects.values() if n > 1),
        "messages_delivered_once": sum(1 for n in delivered.values() if n == 1),
        "messages_repeated": sum(1 for n in delivered.values() if n > 1),
        "messages_lost": queued - len(delivered),
        "receiver_down_s": args.outage,
        "attempts_refused": Attempt.objects.filter(outcome="retry").count(),
        "seconds": round(time.monotonic() - begin, 1),
    }
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))
    ok = (
        figures["timers_fired_once"] == queued
        and figures["messages_lost"] == 0
        and figures["timers_pending"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
