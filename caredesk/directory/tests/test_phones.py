"""One spelling of a phone number: what the caller ID shows and what the directory holds meet
on one key, kept by every save and filled once for the people already there."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from caredesk.directory.models import Person
from caredesk.directory.phones import phone_key


@pytest.mark.parametrize(
    "raw, key",
    [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("86 13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("(0571) 8888 1234", "057188881234"),
        ("0571-8888-1234", "057188881234"),
        ("+86 571 8888 1234", "057188881234"),
        ("0086-571-88881234", "057188881234"),
        ("(0571) 8888 1234 转 56", "057188881234"),
        ("0571-88881234 ext. 56", "057188881234"),
        ("0571 8888 1234 x56", "057188881234"),
        ("0571-88881234#56", "057188881234"),
        ("0571-88881234 分机56", "057188881234"),
        ("400-000-0000", "4000000000"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("001 415 555 0100", "+14155550100"),
        ("", ""),
        ("   ", ""),
        ("n/a", ""),
    ],
)
def test_phone_spellings_reduce_to_one_key(raw, key):
    assert phone_key(raw) == key


def test_the_same_mobile_typed_three_ways_has_one_key():
    assert (
        len({phone_key(s) for s in ("+86 138-0013-8000", "0086 13800138000", "13800138000")}) == 1
    )


def test_saving_a_phone_keeps_its_key(cast):
    person = cast.y
    person.phone = "+86 139 0000 2222"
    person.save(update_fields=["phone"])
    assert Person.objects.get(pk=person.pk).phone_key == "13900002222"
    person.phone = ""
    person.save()
    assert Person.objects.get(pk=person.pk).phone_key == ""


def test_the_data_migration_fills_keys_of_people_already_there(cast):
    Person.objects.filter(pk__in=[cast.x.pk, cast.y.pk]).update(phone_key="")
    migration = importlib.import_module("caredesk.directory.migrations.0008_phone_key")
    migration.fill_phone_keys(apps, None)
    keys = dict(Person.objects.filter(pk__in=[cast.x.pk, cast.y.pk]).values_list("pk", "phone_key"))
    assert keys == {cast.x.pk: phone_key(cast.x.phone), cast.y.pk: phone_key(cast.y.phone)}
    assert keys[cast.y.pk] == "13700000102"


def test_the_phone_key_is_indexed(db):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Person._meta.db_table)
    assert any(c["index"] and c["columns"] == ["phone_key"] for c in constraints.values())


def test_a_lookup_by_key_is_one_query(cast):
    with CaptureQueriesContext(connection) as queries:
        found = list(Person.objects.filter(phone_key=phone_key("+86 137 0000 0102")))
    assert found == [cast.y]
    assert len(queries) == 1
