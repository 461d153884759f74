"""The event replay (事件回放): a closed complaint's or ticket's records told in time order —
who (a role with a letter) did what — and the customer's own words.

Built from the timelines (the ticket's: hand-offs, calls, escalations, visits, replies,
resolution; the complaint's: acknowledgement, call-backs, root cause, response, withdrawal), and
from the change requests linked to the tickets with the alarm-masking rules made under them.
Each item keeps codes and actors, not sentences: `describe` tells it in the reader's language.
Free text (a reply, a reason, a note) is kept anonymised in `text`.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from caredesk.complaints.models import Complaint, CorrectiveAction, Source
from caredesk.complaints.models import EntryKind as ComplaintEntry
from caredesk.fieldwork.models import ChangeRequest, MaskingRule
from caredesk.fieldwork.models.visits import VisitResult
from caredesk.tickets.models import CallOutcome, Channel, EntryKind, Status, Ticket, TimelineEntry

from .anonymise import Anonymiser, label

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Ticket entries a case leaves out: bookkeeping, not the story.
SKIPPED = {EntryKind.EDITED, EntryKind.AUTO_CLOSE_REMINDED}


def _item(at: dt.datetime, actor: dict, kind: str, text: str = "", **args) -> dict:
    return {"at": at.isoformat(), "actor": actor, "kind": kind, "args": args, "text": text}


def _ticket_items(ticket: Ticket, anon: Anonymiser) -> list[dict]:
    items = []
    for e in ticket.timeline.order_by("at", "id"):
        if e.kind in SKIPPED:
            continue
        who, d, body = anon.who(e.actor_id), e.data or {}, anon.text(e.body)
        kind, args = e.kind, {}
        if e.kind == EntryKind.OPENED:
            body, args = "", {"channel": d.get("channel", ticket.channel)}
        elif e.kind == EntryKind.COMMENT:
            kind = "comment" if e.public else "note"
        elif e.kind == EntryKind.CALL:
            args = {
                "direction": d.get("direction", "outbound"),
                "outcome": d.get("outcome", ""),
                "party": anon.text(d.get("party", "")),
            }
        elif e.kind == EntryKind.HANDOFF_PROPOSED:
            args = {"to": anon.who(d.get("to"))}
        elif e.kind == EntryKind.CONCLUSION:
            args = {"version": d.get("version", 1)}
        elif e.kind == EntryKind.STATUS:
            args = {"status": d.get("status", "")}
        elif e.kind == EntryKind.ESCALATED:
            args = {"step": d.get("step", ""), "target": anon.who(d.get("target"))}
        elif e.kind == EntryKind.CLOCK_BREACHED:
            args = {"clock": d.get("clock", "")}
        elif e.kind == EntryKind.VISIT_LEFT:
            args = {"result": d.get("result", "")}
            parts = [anon.text(d.get("work_done", ""))]
            if d.get("result") in (VisitResult.UNRESOLVED, VisitResult.NEEDS_PARTS):
                args["owner"] = anon.who(d.get("next_step_owner"))
                args["due"] = d.get("due_at") or ""
                parts.append(anon.text(d.get("next_step", "")))
            parts.append(body)
            body = "\n".join(p for p in parts if p)
        elif e.kind == EntryKind.VISIT_PLANNED:
            args = {"when": d.get("planned_at") or ""}
        items.append(_item(e.at, who, kind, body, **args))
    return items


def _change_items(ticket: Ticket, anon: Anonymiser) -> list[dict]:
    items = []
    for c in ChangeRequest.objects.filter(ticket_links__ticket=ticket).order_by("created_at"):
        title = anon.text(c.title)
        items.append(_item(c.created_at, anon.who(c.requester_id), "change_requested", title))
        if c.approved_at:
            approver = c.vendor_approver_id or c.customer_approver_id
            items.append(_item(c.approved_at, anon.who(approver), "change_approved", title))
        if c.started_at:
            starter = c.started_by_id or c.executor_id
            items.append(_item(c.started_at, anon.who(starter), "change_started", title))
        if c.ended_at:
            outcome = anon.text(c.outcome_note or c.execution_note)
            items.append(
                _item(c.ended_at, anon.who(c.executor_id), "change_ended", outcome, status=c.status)
            )
        batches: dict[str, list[MaskingRule]] = {}
        for rule in MaskingRule.objects.filter(change=c).order_by("created_at", "id"):
            batches.setdefault(rule.batch, []).append(rule)
        for rules in batches.values():
            first = rules[0]
            items.append(
                _item(
                    first.created_at,
                    anon.who(first.created_by_id),
                    "masks_made",
                    anon.text(first.reason),
                    count=len(rules),
                    until=max(r.ends_at for r in rules).isoformat(),
                )
            )
            for r in rules:
                if r.removed_at:
                    items.append(
                        _item(
                            r.removed_at,
                            anon.who(r.removed_by_id),
                            "mask_removed",
                            anon.text(r.remove_reason),
                        )
                    )
    return items


def _complaint_items(complaint: Complaint, anon: Anonymiser) -> list[dict]:
    items = []
    owners = dict(CorrectiveAction.objects.filter(complaint=complaint).values_list("pk", "owner"))
    for e in complaint.timeline.order_by("at", "id"):
        who, d, body = anon.who(e.actor_id), e.data or {}, anon.text(e.body)
        kind, args = f"complaint_{e.kind}", {}
        if e.kind == ComplaintEntry.RECEIVED:
            body, args = "", {"source": d.get("source", complaint.source)}
        elif e.kind == ComplaintEntry.ROOT_CAUSE:
            args = {"cause": d.get("cause_name", ""), "cause_en": d.get("cause_name_en", "")}
        elif e.kind == ComplaintEntry.ACTION:
            args = {"owner": anon.who(owners.get(d.get("action")))}
        elif e.kind == ComplaintEntry.CALLBACK:
            args = {"reached": bool(d.get("reached")), "satisfied": d.get("satisfied")}
        elif e.kind == ComplaintEntry.CLOSED:
            args = {"outcome": d.get("outcome", "")}
        elif e.kind in (ComplaintEntry.OVERDUE, ComplaintEntry.EXTENDED):
            args = {"deadline": d.get("deadline", "")}
        items.append(_item(e.at, who, kind, body, **args))
    return items


def build(*, complaint: Complaint | None, ticket: Ticket | None, anon: Anonymiser) -> list[dict]:
    """The replay of a complaint (with every ticket it is about) or of a ticket, oldest
    first; events at the same moment keep the order they were recorded in."""
    tickets = (
        list(complaint.links.order_by("position").values_list("ticket", flat=True))
        if (complaint)
        else []
    )
    ticket_ids = tickets or [ticket.pk]
    # Letters in order of first appearance in time, whichever record a person appears in.
    actors = list(
        TimelineEntry.objects.filter(ticket_id__in=ticket_ids, actor__isnull=False).values_list(
            "at", "id", "actor_id"
        )
    )
    if complaint is not None:
        actors += complaint.timeline.filter(actor__isnull=False).values_list("at", "id", "actor_id")
    for _at, _id, actor_id in sorted(actors):
        anon.who(actor_id)
    items: list[dict] = []
    if complaint is not None:
        items += _complaint_items(complaint, anon)
    for t in Ticket.objects.filter(pk__in=ticket_ids).order_by("pk"):
        items += _ticket_items(t, anon)
        items += _change_items(t, anon)
    # A stable sort: items of one source are already in their recorded order.
    items.sort(key=lambda i: i["at"])
    return items


def customer_voice(*, complaint: Complaint | None, ticket: Ticket, anon: Anonymiser) -> str:
    """The customer's own words, verbatim and anonymised: the complaint as told, the request
    as first written, then what they wrote to us on the ticket."""
    parts = []
    if complaint is not None:
        parts.append(complaint.words)
    parts.append(ticket.customer_voice)
    customer_words = ticket.timeline.filter(
        kind__in=[EntryKind.COMMENT, EntryKind.REOPENED],
        public=True,
        actor__role="customer_contact",
    ).order_by("at", "id")
    parts += [e.body for e in customer_words]
    seen, kept = set(), []
    for p in (anon.text(p).strip() for p in parts):
        if p and p not in seen:
            seen.add(p)
            kept.append(p)
    return "\n\n".join(kept)


# ---- telling an item in the reader's language


def local_time(iso: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime(fmt)


def _choice(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def describe(item: dict) -> str:
    """What happened, in the current language (the actor is told apart, by `label`)."""
    a, kind = item.get("args", {}), item["kind"]
    if kind == "opened":
        return _("recorded the request (%(channel)s)") % {
            "channel": _choice(Channel, a.get("channel"))
        }
    if kind == "acknowledged":
        return _("acknowledged the request")
    if kind == "comment":
        return _("wrote on the request")
    if kind == "note":
        return _("wrote an internal note")
    if kind == "call":
        words = {
            "party": a.get("party") or _("the other party"),
            "outcome": _choice(CallOutcome, a.get("outcome")),
        }
        if a.get("direction") == "inbound":
            return _("took a call from %(party)s: %(outcome)s") % words
        return _("called %(party)s: %(outcome)s") % words
    if kind == "handoff_proposed":
        return _("proposed handing the request to %(to)s") % {"to": label(a.get("to", {}))}
    if kind == "handoff_accepted":
        return _("accepted the hand-off and became the owner")
    if kind == "handoff_declined":
        return _("declined the hand-off")
    if kind == "handoff_cancelled":
        return _("withdrew the hand-off")
    if kind == "conclusion":
        return _("gave the technical conclusion (version %(version)s)") % {
            "version": a.get("version")
        }
    if kind == "status":
        return _("set the status to %(status)s") % {"status": _choice(Status, a.get("status"))}
    if kind == "resolved":
        return _("resolved the request")
    if kind == "closed":
        return _("confirmed the closure")
    if kind == "auto_closed":
        return _("closed the request after the customer's silence")
    if kind == "reopened":
        return _("reopened the request")
    if kind == "escalated":
        return _("escalation step %(step)s: %(target)s was alerted") % {
            "step": a.get("step"),
            "target": label(a.get("target", {})),
        }
    if kind == "clock_breached":
        return _("a time limit was breached (%(clock)s)") % {"clock": a.get("clock")}
    if kind == "visit_planned":
        return _("planned a site visit for %(when)s") % {"when": local_time(a.get("when", ""))}
    if kind == "visit_cancelled":
        return _("cancelled the site visit")
    if kind == "visit_travel":
        return _("set off for the site")
    if kind == "visit_arrived":
        return _("arrived on site")
    if kind == "visit_left":
        if a.get("result") == VisitResult.RESOLVED:
            return _("left the site, the problem solved")
        return _("left the site unresolved; next step by %(owner)s before %(due)s") % {
            "owner": label(a.get("owner", {})),
            "due": local_time(a.get("due", "")),
        }
    if kind == "visit_confirmed":
        return _("confirmed the visit report")
    if kind == "change_requested":
        return _("requested a change")
    if kind == "change_approved":
        return _("approved the change")
    if kind == "change_started":
        return _("started the change")
    if kind == "change_ended":
        return _("ended the change")
    if kind == "masks_made":
        return _("made %(count)s alarm-masking rules, until %(until)s") % {
            "count": a.get("count"),
            "until": local_time(a.get("until", "")),
        }
    if kind == "mask_removed":
        return _("removed an alarm-masking rule")
    if kind == "complaint_received":
        return _("registered the complaint (%(source)s)") % {
            "source": _choice(Source, a.get("source"))
        }
    if kind == "complaint_acknowledged":
        return _("acknowledged the complaint")
    if kind == "complaint_note":
        return _("wrote an investigation note")
    if kind == "complaint_root_cause":
        cause = a.get("cause_en") if (get_language() or "").startswith("en") else a.get("cause")
        return _("recorded the root cause: %(cause)s") % {"cause": cause or a.get("cause")}
    if kind == "complaint_action":
        return _("set a corrective action for %(owner)s") % {"owner": label(a.get("owner", {}))}
    if kind == "complaint_action_verified":
        return _("verified a corrective action")
    if kind == "complaint_response":
        return _("answered the complainant")
    if kind == "complaint_response_approved":
        return _("approved the answer")
    if kind == "complaint_callback":
        if not a.get("reached"):
            return _("called the complainant back: not reached")
        if a.get("satisfied") is True:
            return _("called the complainant back: satisfied")
        if a.get("satisfied") is False:
            return _("called the complainant back: not satisfied")
        return _("called the complainant back")
    if kind == "complaint_extended":
        return _("extended a deadline")
    if kind == "complaint_overdue":
        return _("a complaint deadline was missed")
    if kind == "complaint_reminder":
        return _("a reminder was sent")
    if kind == "complaint_supervision":
        return _("the complaint went to supervision")
    if kind == "complaint_withdrawn":
        return _("recorded that the complainant withdrew the complaint")
    if kind == "complaint_closed":
        if a.get("outcome") == "refused":
            return _("closed the complaint; the complainant refused the outcome")
        return _("closed the complaint; the complainant confirmed the outcome")
    if kind == "complaint_reopened":
        return _("reopened the complaint")
    return kind.replace("_", " ")


def told(item: dict) -> dict:
    """One item as the report and the pages show it: {"at", "actor", "what"} (the free text
    after the description)."""
    what = describe(item)
    if item.get("text"):
        what = _("%(what)s: %(text)s") % {"what": what, "text": item["text"]}
    return {"at": local_time(item["at"]), "actor": label(item["actor"]), "what": what}
