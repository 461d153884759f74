import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q

from caredesk import clock
from caredesk.timers.models import DueAction, ProbeEffect
from caredesk.timers.services import PROBE


class Command(BaseCommand):
    help = (
        "Schedule probe timers (to see that workers fire them), or report on them: how many "
        "are done, pending, and whether any ran more than once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schedule", type=int, default=0, help="How many probes to add.")
        parser.add_argument("--in-seconds", type=float, default=0, help="Due this far ahead.")
        parser.add_argument("--report", action="store_true")

    def handle(self, *args, schedule: int, in_seconds: float, report: bool, **options):
        if schedule < 0:
            raise CommandError("--schedule takes a positive number")
        if schedule:
            due = clock.now() + dt.timedelta(seconds=in_seconds)
            with transaction.atomic():
                DueAction.objects.bulk_create(
                    [
                        DueAction(kind=PROBE, subject=f"probe-{i}", due_at=due)
                        for i in range(schedule)
                    ],
                    batch_size=5000,
                )
            self.stdout.write(f"scheduled {schedule} probes")
        if report or not schedule:
            probes = DueAction.objects.filter(kind=PROBE)
            done = probes.filter(done_at__isnull=False).count()
            pending = probes.filter(done_at__isnull=True).count()
            repeated = (
                ProbeEffect.objects.values("action_id")
                .annotate(n=Count("id"))
                .filter(Q(n__gt=1))
                .count()
            )
            self.stdout.write(f"done={done} pending={pending} repeated={repeated}")
