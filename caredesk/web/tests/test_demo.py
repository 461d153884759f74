"""The demo: loads once, has every status, every case, and an intact audit chain."""

from django.core.management import call_command

from caredesk.audit.services import verify_chain
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
    assert verify_chain().ok
