"""The ten typical problems of the training deck's half-year analysis, with a few
sub-categories each may be filed under; admins add more in the Django admin."""

from django.db import migrations

CATEGORIES = [
    # code, 中文, English, [(sub code, 中文, English), …]
    (
        "buck_passing",
        "推诿",
        "Buck-passing",
        [
            ("buck_passing_phone", "只给电话号码", "Only passed a phone number on"),
            ("buck_passing_scope", "以职责范围推脱", "Refused as outside one's scope"),
        ],
    ),
    (
        "unreachable",
        "联系不上",
        "Unreachable",
        [
            ("unreachable_phone_off", "手机关机或不接", "Phone off or not answered"),
            ("unreachable_no_backup", "无备份联系人", "No backup contact"),
        ],
    ),
    ("attitude", "服务态度", "Attitude", []),
    ("contradicting", "答复前后矛盾", "Contradicting answers", []),
    (
        "unauthorised_operation",
        "未授权操作",
        "Unauthorised operation",
        [("unauthorised_masking", "擅自屏蔽告警", "Alarms masked without authorisation")],
    ),
    (
        "information_not_passed",
        "信息未传递",
        "Information not passed on",
        [("wrong_stakeholder", "结果告知了错误的干系人", "Result told to the wrong stakeholder")],
    ),
    ("technical_skill", "技术能力", "Technical skill", []),
    ("slow_response", "响应慢", "Slow response", []),
    ("left_unresolved", "离站未解决", "Left the site unresolved", []),
    ("other", "其他", "Other", []),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, name, name_en, subs) in enumerate(CATEGORIES, 1):
        parent, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "order": order * 10}
        )
        for sub_order, (sub, sub_name, sub_en) in enumerate(subs, 1):
            Category.objects.get_or_create(
                code=sub,
                defaults={
                    "name": sub_name,
                    "name_en": sub_en,
                    "parent": parent,
                    "order": sub_order,
                },
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    codes = [c[0] for c in CATEGORIES] + [s[0] for c in CATEGORIES for s in c[3]]
    Category.objects.filter(code__in=codes, parent__isnull=False).delete()
    Category.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
