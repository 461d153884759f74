"""The follow-up a low score opens: for the customer's service manager, closed with a note by
him or a manager of the office (another engineer is refused, an outsider does not find it)."""

import pytest

from caredesk.errors import NotFound, PermissionDenied, StaleVersion, ValidationFailed
from caredesk.satisfaction import selectors, services
from caredesk.satisfaction.models import FollowUpStatus

from .factories import low_answer, sent_survey


@pytest.fixture
def follow_up(cast, open_request):
    _survey, token = sent_survey(open_request(), cast.y)
    return low_answer(token).survey.follow_up


def test_the_service_manager_closes_it_with_a_note(cast, follow_up):
    done = services.close_follow_up(actor=cast.a, follow_up=follow_up, note="已电话回访，致歉")
    assert (done.status, done.closed_by, done.note) == ("closed", cast.a, "已电话回访，致歉")
    with pytest.raises(services.FollowUpNotOpen):
        services.close_follow_up(actor=cast.a, follow_up=follow_up, note="again")


def test_closing_needs_a_note_and_the_version_read(cast, follow_up):
    with pytest.raises(ValidationFailed):
        services.close_follow_up(actor=cast.a, follow_up=follow_up, note=" \u200b ")
    with pytest.raises(StaleVersion):
        services.close_follow_up(
            actor=cast.a, follow_up=follow_up, note="ok", version=follow_up.version + 1
        )
    follow_up.refresh_from_db()
    assert follow_up.is_open


def test_another_engineer_is_refused_and_an_outsider_finds_nothing(cast, follow_up):
    with pytest.raises(PermissionDenied):
        services.close_follow_up(actor=cast.b, follow_up=follow_up, note="not mine")
    for outsider in (cast.y, cast.o, cast.d):
        with pytest.raises(NotFound):
            services.close_follow_up(actor=outsider, follow_up=follow_up, note="x")
        with pytest.raises(NotFound):
            selectors.follow_up_for(outsider, follow_up.pk)
    follow_up.refresh_from_db()
    assert follow_up.is_open


def test_recording_the_complaint_closes_it_naming_the_complaint(cast, follow_up):
    done = services.record_complaint(actor=cast.a, follow_up=follow_up, complaint_ref="CP-0001")
    assert (done.status, done.complaint_ref) == (FollowUpStatus.COMPLAINT, "CP-0001")


def test_the_follow_ups_page_lists_it_for_the_office_only(cast, follow_up, client):
    client.force_login(cast.a)
    page = client.get("/surveys/follow-ups/")
    assert page.status_code == 200
    assert "等了三天才有人来" in page.content.decode()
    res = client.post(
        f"/surveys/follow-ups/{follow_up.pk}/close/",
        {"note": "已回访", "version": follow_up.version},
    )
    assert res.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == "closed"
    client.force_login(cast.o)
    assert client.get("/surveys/follow-ups/").status_code == 404


def test_a_refused_close_shows_its_reason_on_the_page(cast, follow_up, client):
    client.force_login(cast.b)
    client.cookies["django_language"] = "en"
    res = client.post(f"/surveys/follow-ups/{follow_up.pk}/close/", {"note": "x"})
    assert res.status_code == 403
    assert "Only the service manager it is for" in res.content.decode()
    res = client.post(f"/surveys/follow-ups/{follow_up.pk}/close/", {"note": ""})
    assert res.status_code == 422
    follow_up.refresh_from_db()
    assert follow_up.is_open


def test_the_complaint_button_is_hidden_without_the_complaints_verb(cast, follow_up, client):
    from caredesk.satisfaction.views import staff

    client.force_login(cast.a)
    page = client.get("/surveys/follow-ups/").content.decode()
    assert ('data-testid="follow-up-complaint"' in page) == (staff.complaint_opener() is not None)


def test_the_service_manager_turns_a_low_score_into_a_complaint(cast, follow_up, client):
    from caredesk.complaints.models import Complaint

    client.force_login(cast.a)
    res = client.post(
        f"/surveys/follow-ups/{follow_up.pk}/complaint/", {"version": follow_up.version}
    )
    assert res.status_code == 302, res.content.decode()[:500]
    complaint = Complaint.objects.get()
    assert complaint.source == "survey"
    assert complaint.source_ref == f"survey:{follow_up.survey_id}"
    assert complaint.handler != cast.h and complaint.complainant == cast.y
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.COMPLAINT
    assert follow_up.complaint_ref == complaint.number
    # Another engineer may not: nothing more is opened, the follow-up stays as it was.
    client.force_login(cast.b)
    client.post(f"/surveys/follow-ups/{follow_up.pk}/complaint/", {"version": follow_up.version})
    assert Complaint.objects.count() == 1
