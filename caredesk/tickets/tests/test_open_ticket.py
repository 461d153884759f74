"""Opening a ticket: one accountable owner from the first instant (seed case 1)."""

import pytest

from caredesk.audit.models import AuditRecord
from caredesk.errors import PermissionDenied, ValidationFailed
from caredesk.tickets import services
from caredesk.tickets.models import EntryKind, Status, Ticket
from caredesk.tickets.services import NoOwnerAvailable


def test_portal_request_is_routed_to_the_matrix_primary(cast, open_request):
    ticket = open_request(product="wireless")
    assert ticket.owner == cast.c
    assert ticket.status == Status.NEW
    assert ticket.team.name == "无线与传输组"
    assert ticket.office == cast.orgs.office
    assert ticket.requester == cast.y


def test_staff_recording_a_call_owns_it_first_contact(cast, open_request):
    # The matrix names engineer.c for wireless, but the manager who took the call owns it.
    ticket = open_request(actor=cast.a, product="wireless", channel="phone", requester=cast.y)
    assert ticket.owner == cast.a
    assert ticket.created_by == cast.a


def test_inactive_primary_falls_back_to_backup(cast, open_request):
    cast.c.is_active = False
    cast.c.save()
    assert open_request(product="wireless").owner == cast.b


def test_missing_matrix_cell_routes_to_region_service_manager(cast, open_request):
    ticket = open_request(
        product="transport", region="hillside", customer_org=cast.orgs.hillside, actor=cast.z
    )
    assert ticket.owner == cast.a


def test_ticket_never_ownerless(cast, open_request):
    cast.regions.hillside.service_manager = None
    cast.regions.hillside.save()
    before = (Ticket.objects.count(), AuditRecord.objects.count())
    with pytest.raises(NoOwnerAvailable):
        open_request(
            product="transport", region="hillside", customer_org=cast.orgs.hillside, actor=cast.z
        )
    assert (Ticket.objects.count(), AuditRecord.objects.count()) == before
    assert not Ticket.objects.filter(owner__isnull=True).exists()


def test_owner_column_rejects_null_at_the_database(cast, open_request):
    from django.db import IntegrityError, transaction

    ticket = open_request()
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(owner=None)


def test_numbers_are_sequential_per_year(cast, open_request):
    first, second = open_request(), open_request()
    year = first.created_at.year
    assert first.number == f"CD-{year}-000001"
    assert second.number == f"CD-{year}-000002"


def test_customer_voice_is_kept_verbatim(cast, open_request):
    words = "  设备一直报高温告警！！\n  请派人到现场，不要只远程看看。  "
    ticket = open_request(customer_voice=words)
    assert Ticket.objects.get(pk=ticket.pk).customer_voice == words
    opened = ticket.timeline.get(kind=EntryKind.OPENED)
    assert opened.body == words
    assert opened.data["owner"] == ticket.owner_id


def test_bad_input_names_every_field_and_writes_nothing(cast, open_request):
    with pytest.raises(ValidationFailed) as err:
        open_request(title="  ", customer_voice="", severity="P9", channel="fax")
    assert set(err.value.fields) == {"title", "customer_voice", "severity", "channel"}
    assert Ticket.objects.count() == 0
    assert AuditRecord.objects.count() == 0


def test_customer_cannot_open_for_another_customer(cast, open_request):
    with pytest.raises(PermissionDenied):
        open_request(actor=cast.y, customer_org=cast.orgs.other)


def test_city_contact_cannot_open_for_the_province(cast, open_request):
    # customer.y belongs to the Lakeside branch; the province is above it, not below.
    with pytest.raises(PermissionDenied):
        open_request(actor=cast.y, customer_org=cast.orgs.province)


def test_province_contact_may_open_for_a_branch(cast, open_request):
    ticket = open_request(actor=cast.x, customer_org=cast.orgs.hillside)
    assert ticket.requester == cast.x


def test_requester_must_be_a_contact_of_the_customer(cast, open_request):
    with pytest.raises(ValidationFailed) as err:
        open_request(actor=cast.b, requester=cast.o, channel="phone")
    assert "requester" in err.value.fields


def test_opening_writes_timeline_and_audit(cast, open_request):
    ticket = open_request()
    assert list(ticket.timeline.values_list("kind", flat=True)) == [EntryKind.OPENED]
    rec = AuditRecord.objects.get(action="ticket.open")
    assert rec.object_id == str(ticket.pk)
    assert rec.after["owner"] == cast.b.pk


def test_ticket_opened_for_customer_org_kind_only(cast, open_request):
    with pytest.raises(ValidationFailed) as err:
        services.open_ticket(
            actor=cast.b,
            customer_org=cast.orgs.partner,
            product=cast.products.core,
            region=cast.regions.lakeside,
            severity="P3",
            channel="phone",
            title="x",
            customer_voice="y",
        )
    assert "customer_org" in err.value.fields
