"""can_view() answers for one loaded ticket in memory; it must say exactly what the list filter
(visible_filter, one query) says, for every person and every kind of ticket."""

from caredesk.directory.models import Organisation, OrgKind, Person, Role
from caredesk.tickets import policy, services


def test_can_view_agrees_with_the_list_filter(cast, open_request):
    far_office = Organisation.objects.create(name="远方代表处", kind=OrgKind.VENDOR_OFFICE)
    outsider = Person.objects.create(
        username="engineer.far", role=Role.ENGINEER, organisation=far_office
    )
    plain = open_request()  # a customer's request, routed by the matrix
    by_staff = open_request(actor=cast.h, customer_org=cast.orgs.other)
    handed = open_request()
    services.propose_handoff(
        actor=handed.owner, ticket=handed, to_person=cast.d, reason="现场需要合作方"
    )
    declined = open_request()
    services.propose_handoff(
        actor=declined.owner, ticket=declined, to_person=outsider, reason="请远方支援"
    )
    people = [*Person.objects.all()]
    tickets = [plain, by_staff, handed, declined]
    disagreements = []
    for person in people:
        listed = set(policy.visible_tickets(person).values_list("pk", flat=True))
        for ticket in tickets:
            if policy.can_view(person, ticket) != (ticket.pk in listed):
                disagreements.append((person.username, ticket.number))
    assert disagreements == []
    assert policy.can_view(cast.d, handed) and not policy.can_view(cast.d, plain)
    assert policy.can_view(outsider, declined) and not policy.can_view(outsider, plain)
