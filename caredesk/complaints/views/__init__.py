"""The complaint pages: the queue and a person's history (queue.py), the complaint page and
its step actions (complaint.py), the hotline's registration (hotline.py), and the banner the
ticket pages show (ticket_banner, put in their context by the ticket views: one entry)."""

from caredesk.directory.models import Person
from caredesk.tickets.models import Ticket

from .. import selectors


def ticket_banner(person: Person, ticket: Ticket) -> list:
    """The complaints about a ticket its reader may see (staff page and portal alike)."""
    return selectors.on_ticket(person, ticket)
