"""An account with no organisation yet (what `createsuperuser` makes on a fresh deployment: the
default role, customer contact, and no organisation) opening Customers: a 404, not a 500."""

import pytest
from django.test import Client

from caredesk.directory.models import Person

pytestmark = pytest.mark.django_db


def test_customers_page_of_an_unplaced_account_is_not_found():
    person = Person.objects.create_superuser("opsadmin", "ops@example.test", "long-pass-phrase-1")
    assert person.is_customer and person.organisation_id is None
    browser = Client()
    browser.force_login(person)
    assert browser.get("/customers/").status_code == 404
    assert browser.get("/portal/").status_code == 200  # the home page it lands on still opens


def test_customers_page_of_a_placed_contact_goes_to_their_map(cast):
    browser = Client()
    browser.force_login(cast.y)
    res = browser.get("/customers/")
    assert res.status_code == 302
    assert res["Location"] == f"/customers/{cast.y.organisation_id}/stakeholders/"
