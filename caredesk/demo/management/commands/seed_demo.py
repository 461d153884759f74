from django.core.management.base import BaseCommand

from caredesk.demo import handover as handover_demo
from caredesk.demo.surveys import demo_link
from caredesk.demo.world import DEMO_PASSWORD, demo_logins, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo organisations, people, matrix and tickets (once; a second run is a no-op)."
    )

    def handle(self, *args, **options):
        loaded = load_demo()
        self.stdout.write("Demo loaded." if loaded else "Demo already loaded; nothing changed.")
        # handover: on every run, what the demo's (fresh) Alertmanager must hold
        if line := handover_demo.in_alertmanager():
            self.stdout.write(line)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for username, name, role in demo_logins():
            self.stdout.write(f"  {username:<12} {name} — {role}")
        # satisfaction: the link mailed to customer.y (also in var/mail/ once the worker sent it)
        if link := demo_link():
            self.stdout.write(
                f"\nSatisfaction survey mailed to customer.y, not answered yet:\n  {link}"
            )
