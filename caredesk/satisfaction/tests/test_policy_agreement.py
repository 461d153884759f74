"""Who may read a survey: the in-memory check and the list filter agree for every person of the
cast and a survey of each office (ours, and another office's whom nobody of ours may read)."""

from caredesk.directory.models import Organisation, OrgKind, Person, Role
from caredesk.satisfaction import policy
from caredesk.satisfaction.models import Survey

from .factories import sent_survey


def test_the_check_and_the_filter_agree_for_everyone(cast, open_request):
    ours, _ = sent_survey(open_request(), cast.y)
    elsewhere = Organisation.objects.create(
        name="西北代表处", kind=OrgKind.VENDOR_OFFICE, parent=cast.orgs.hq
    )
    theirs, _ = sent_survey(open_request(actor=cast.x, customer_org=cast.orgs.province), cast.x)
    Survey.objects.filter(pk=theirs.pk).update(office=elsewhere)
    theirs.refresh_from_db()
    outsider = Person.objects.create(username="e.n", role=Role.ENGINEER, organisation=elsewhere)
    people = [*cast.people.values(), outsider]
    for person in people:
        listed = set(
            Survey.objects.filter(policy.visible_filter(person)).values_list("pk", flat=True)
        )
        checked = {s.pk for s in (ours, theirs) if policy.can_view(person, s)}
        assert listed == checked, person.username
    readers = {p.username for p in people if policy.can_view(p, ours)}
    assert readers == {
        "manager.a",
        "engineer.b",
        "engineer.c",
        "leader.p",
        "spm.s",
        "head.w",
        "hotline.h",
        "admin",
    }
    assert {p.username for p in people if policy.can_view(p, theirs)} == {"hotline.h", "e.n"}
