"""When a survey goes out: a day after closure, only if the ticket is still closed then, never
twice, to customer contacts only, sampled, and at most once per contact in the cap's days."""

from caredesk.events import EventKind
from caredesk.satisfaction.models import SubjectKind, Survey, Tally
from caredesk.satisfaction.services import sending
from caredesk.tickets import services as ticket_services
from caredesk.timers.models import DueAction

from .conftest import DAY, link_of


def test_the_survey_goes_a_day_after_closure_to_the_requester(cast, closed_ticket, at):
    ticket = closed_ticket()
    at(DAY - 1)
    assert not Survey.objects.exists()
    at(DAY + 1)
    survey = Survey.objects.get()
    assert (survey.ticket, survey.contact, survey.subject_kind) == (ticket, cast.y, "ticket")
    assert survey.office_id == ticket.office_id and survey.engineer_id == ticket.owner_id
    assert link_of(cast.y).startswith("http")
    assert Tally.objects.get(office_id=ticket.office_id).sent == 1


def test_the_delay_rechecks_that_the_ticket_is_still_closed(cast, closed_ticket, at):
    ticket = closed_ticket()
    at(60, fire=False)
    ticket_services.reopen(actor=cast.y, ticket=ticket, reason="又断了")
    at(DAY + 1)
    assert not Survey.objects.exists()
    outcome = DueAction.objects.get(kind=sending.SEND_TICKET).outcome
    assert outcome == "skipped:reopened"


def test_a_ticket_closed_again_is_surveyed_once_from_its_new_closure(cast, closed_ticket, at):
    ticket = closed_ticket()
    at(60, fire=False)
    ticket_services.reopen(actor=cast.y, ticket=ticket, reason="又断了")
    ticket.refresh_from_db()
    ticket_services.resolve(actor=ticket.owner, ticket=ticket, note="换了板卡")
    ticket.refresh_from_db()
    ticket_services.confirm_closure(actor=cast.y, ticket=ticket)
    at(DAY + 1)  # the first closure's timer: the ticket was closed again since
    assert not Survey.objects.exists()
    at(DAY + 61)
    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_never_twice_for_one_ticket(cast, closed_ticket, at, settings):
    settings.SURVEY_CAP_DAYS = 0
    ticket = closed_ticket()
    at(DAY + 1)
    at(DAY + 2, fire=False)
    ticket_services.reopen(actor=cast.y, ticket=ticket, reason="又断了")
    ticket.refresh_from_db()
    ticket_services.resolve(actor=ticket.owner, ticket=ticket, note="再修")
    ticket.refresh_from_db()
    ticket_services.confirm_closure(actor=cast.y, ticket=ticket)
    at(3 * DAY)
    assert Survey.objects.filter(ticket=ticket).count() == 1


def test_the_cap_allows_one_survey_per_contact_in_its_days(cast, closed_ticket, at, settings):
    settings.SURVEY_CAP_DAYS = 30
    first = closed_ticket(0)
    second = closed_ticket(10)
    at(DAY + 20)
    assert list(Survey.objects.values_list("ticket", flat=True)) == [first.pk]
    outcomes = dict(
        DueAction.objects.filter(kind=sending.SEND_TICKET).values_list("subject", "outcome")
    )
    assert outcomes[str(second.pk)] == "skipped:capped"
    third = closed_ticket(31 * DAY)
    at(32 * DAY + 1)
    assert set(Survey.objects.values_list("ticket", flat=True)) == {first.pk, third.pk}


def test_sampling_rate_zero_sends_nothing_and_one_sends_all(closed_ticket, at, settings):
    settings.SURVEY_SAMPLING_RATE = 0
    closed_ticket()
    at(DAY + 1)
    assert not Survey.objects.exists()
    settings.SURVEY_SAMPLING_RATE = 1
    closed_ticket(2 * DAY)
    at(3 * DAY + 1)
    assert Survey.objects.count() == 1


def test_sampling_keeps_about_its_share_and_answers_the_same_each_time(settings):
    settings.SURVEY_SAMPLING_RATE = 0.3
    picks = [sending.sampled(f"ticket:{n}") for n in range(2000)]
    assert 0.25 < sum(picks) / len(picks) < 0.35
    assert picks == [sending.sampled(f"ticket:{n}") for n in range(2000)]


def test_a_request_recorded_by_staff_without_a_requester_is_not_surveyed(cast, closed_ticket, at):
    closed_ticket(actor=cast.b)
    at(DAY + 1)
    assert not Survey.objects.exists()
    assert DueAction.objects.get(kind=sending.SEND_TICKET).outcome == "skipped:no_contact"


def _complaint_closed(complainant, ticket_ids, handler, complaint_id=7):
    from django.db import transaction

    from caredesk import clock, events

    with transaction.atomic():
        events.publish(
            events.Event(
                kind=EventKind.COMPLAINT_CLOSED,
                ticket_id=ticket_ids[0] if ticket_ids else 0,
                actor_id=handler.pk,
                at=clock.now(),
                data={
                    "complaint_id": complaint_id,
                    "complainant_id": complainant.pk if complainant else None,
                    "ticket_ids": ticket_ids,
                    "handler_id": handler.pk,
                },
            )
        )


def test_a_closed_complaint_gets_a_survey_about_its_handling(cast, open_request, at):
    at(0, fire=False)
    ticket = open_request()
    _complaint_closed(cast.y, [ticket.pk], cast.a)
    at(DAY + 1)
    survey = Survey.objects.get()
    assert survey.subject_kind == SubjectKind.COMPLAINT and survey.complaint_id == 7
    assert (survey.contact, survey.engineer, survey.office_id) == (cast.y, cast.a, ticket.office_id)
    _complaint_closed(cast.y, [ticket.pk], cast.a)  # closed again after a reopening
    at(3 * DAY)
    assert Survey.objects.count() == 1


def test_partners_and_internal_complainants_are_never_surveyed(cast, at):
    at(0, fire=False)
    _complaint_closed(cast.d, [], cast.a, complaint_id=1)
    _complaint_closed(cast.c, [], cast.a, complaint_id=2)
    _complaint_closed(None, [], cast.a, complaint_id=3)
    at(DAY + 1)
    assert not Survey.objects.exists()
    outcomes = sorted(
        DueAction.objects.filter(kind=sending.SEND_COMPLAINT).values_list("outcome", flat=True)
    )
    assert outcomes == ["skipped:internal", "skipped:internal", "skipped:no_contact"]


def test_the_delay_is_a_setting(cast, closed_ticket, at, settings):
    settings.SURVEY_DELAY_HOURS = 2
    closed_ticket()
    at(119)
    assert not Survey.objects.exists()
    at(121)
    assert Survey.objects.count() == 1
