"""What the early warning does on a domain event (caredesk.events), inside the event's own
transaction: every event on a ticket marks it to be rescored — by the worker within seconds
(the default), or at once when settings.RISK_INLINE says so; a complaint registered also
records the lead time of the alerts that came before it, and marks its tickets (their
customer now has one more complaint). An event about no ticket (ticket id 0) marks none."""

from caredesk import events
from caredesk.events import EventKind
from caredesk.tickets.models import Ticket

from . import config, services


def on_event(event: events.Event) -> None:
    ids = [event.ticket_id]
    if event.kind == EventKind.COMPLAINT_OPENED:
        ids = list(event.data.get("ticket_ids") or ids)
        services.record_complaint(
            complaint_id=event.data["complaint_id"], ticket_ids=ids, at=event.at
        )
    ids = [pk for pk in ids if pk]  # a survey about a complaint tells ticket 0: none
    if not ids:
        return
    if config.inline():
        services.refresh(list(Ticket.objects.select_related("owner").filter(pk__in=ids)))
    else:
        services.mark_dirty(ticket_ids=ids, at=event.at)
