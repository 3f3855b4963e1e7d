"""Editors, Medical reviewers and Administrators may translate pages (simple_translation's
"Translate"): a translation is a draft that goes through the Medical review workflow like any
page, so translating gives no one a way to publish."""

from django.db import migrations

TRANSLATORS = ("Editors", "Medical reviewers", "Administrators")


def translation_permission(apps):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("simple_translation")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(
        content_type__app_label="simple_translation", codename="submit_translation"
    )


def grant(apps, schema_editor):
    permission = translation_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=TRANSLATORS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    permission = translation_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=TRANSLATORS):
        group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0012_translation_origin"),
        ("simple_translation", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
