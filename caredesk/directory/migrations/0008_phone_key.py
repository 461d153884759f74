from django.db import migrations, models

from caredesk.directory.phones import phone_key


def fill_phone_keys(apps, schema_editor):
    """People already in the directory get their phone's key (later saves keep it)."""
    Person = apps.get_model("directory", "Person")
    batch = []
    for person in Person.objects.exclude(phone="").only("pk", "phone").iterator():
        person.phone_key = phone_key(person.phone)
        batch.append(person)
        if len(batch) >= 500:
            Person.objects.bulk_update(batch, ["phone_key"])
            batch = []
    Person.objects.bulk_update(batch, ["phone_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0007_recovery_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="phone_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=32),
        ),
        migrations.RunPython(fill_phone_keys, migrations.RunPython.noop, elidable=True),
    ]
