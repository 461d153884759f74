"""The demo: loads once, has every status, every case, and an intact audit chain."""

from django.core.management import call_command

from caredesk.audit.checking import verify_audit
from caredesk.directory.models import Person
from caredesk.tickets.models import Status, Ticket


def test_seed_demo_is_idempotent_and_covers_every_status(db, capsys):
    call_command("seed_demo")
    counts = (Ticket.objects.count(), Person.objects.count())
    call_command("seed_demo")
    assert (Ticket.objects.count(), Person.objects.count()) == counts
    out = capsys.readouterr().out
    assert "Demo already loaded" in out
    assert "customer.y" in out
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    usernames = set(Person.objects.values_list("username", flat=True))
    expected = {"manager.a", "engineer.b", "engineer.c", "partner.d", "customer.x", "customer.y"}
    assert expected | {"hotline.h", "admin"} <= usernames
    assert verify_audit().ok


def test_demo_history_lies_in_the_past_at_any_hour(db):
    """Loaded just after midnight or just before it, no demo event is in the future."""
    import datetime as dt

    from caredesk import clock
    from caredesk.demo.world import load_demo
    from caredesk.tickets.models import TimelineEntry

    shanghai = dt.timezone(dt.timedelta(hours=8))
    moment = dt.datetime(2026, 11, 26, 0, 20, tzinfo=shanghai)
    with clock.frozen_at(moment):
        load_demo()
    latest = TimelineEntry.objects.order_by("-at").first().at
    assert latest <= moment
    opened = {t.pk: t.created_at for t in Ticket.objects.all()}
    for entry in TimelineEntry.objects.all():
        assert entry.at >= opened[entry.ticket_id]  # nothing happens before its ticket exists
