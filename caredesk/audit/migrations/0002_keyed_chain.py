"""The audit chain becomes keyed (HMAC) and is sealed by the worker after the fact.

The old plain SHA-256 links are dropped and every existing record becomes unsealed: the
worker's sealer then chains them again, in id order, with the key from the environment.
"""

from django.db import migrations, models


def unseal_existing(apps, schema_editor):
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditHead = apps.get_model("audit", "AuditHead")
    AuditRecord.objects.update(seq=None, seal=None, sealed_at=None)
    AuditHead.objects.update_or_create(
        pk=1, defaults={"seq": 0, "last_hash": "", "checkpoint_seq": 0, "checkpoint_at": None}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditrecord",
            options={
                "ordering": ["id"],
                "verbose_name": "audit record",
                "verbose_name_plural": "audit records",
            },
        ),
        migrations.RemoveField(model_name="auditrecord", name="hash"),
        migrations.RemoveField(model_name="auditrecord", name="prev_hash"),
        migrations.AddField(
            model_name="audithead",
            name="checkpoint_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="audithead",
            name="checkpoint_seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="seal",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="sealed_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AlterField(
            model_name="auditrecord",
            name="seq",
            field=models.BigIntegerField(null=True, unique=True),
        ),
        migrations.RunPython(unseal_existing, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="auditrecord",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed_idx"
            ),
        ),
    ]
