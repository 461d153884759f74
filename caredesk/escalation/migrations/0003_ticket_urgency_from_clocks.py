"""Fill Ticket.urgency and Ticket.next_due_at (tickets 0009) from the clocks already running,
the way escalation.clocks.summarise keeps them from now on."""

from django.db import migrations
from django.db.models import Max, Min

BREACHED, DUE = 0, 1
BATCH = 2000


def fill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketClock = apps.get_model("escalation", "TicketClock")
    running = (
        TicketClock.objects.filter(state="running")
        .values("ticket_id")
        .annotate(due=Min("due_at"), breached=Max("breached_at"), first_breach=Min("breached_at"))
        .order_by("ticket_id")
    )
    batch = []
    for row in running.iterator(chunk_size=BATCH):
        breached = row["breached"] is not None
        due = row["due"] or row["first_breach"]
        if due is None:
            continue  # a running clock with no projected end: no tier to put it in
        batch.append(
            Ticket(pk=row["ticket_id"], urgency=BREACHED if breached else DUE, next_due_at=due)
        )
        if len(batch) >= BATCH:
            Ticket.objects.bulk_update(batch, ["urgency", "next_due_at"])
            batch = []
    if batch:
        Ticket.objects.bulk_update(batch, ["urgency", "next_due_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_calendars_move_to_their_app"),
        ("tickets", "0010_ticket_urgency"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
