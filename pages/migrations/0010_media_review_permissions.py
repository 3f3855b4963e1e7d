"""Editors and Marketing no longer change or delete images and documents in general: they
upload them (and choose them), and change or delete only what they uploaded themselves (Wagtail's
collection ownership), and only while no live content shows it (pages/media.py enforces that
part for every role but Medical reviewers and Administrators). Medical reviewers and
Administrators keep the change permissions of 0006.
"""

from django.db import migrations

UPLOADERS = ("Editors", "Marketing")
CHANGE = ("change_image", "change_document")
APPS = {"change_image": "wagtailimages", "change_document": "wagtaildocs"}


def collection_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    permissions = [
        permission
        for codename in CHANGE
        if (
            permission := Permission.objects.filter(
                content_type__app_label=APPS[codename], codename=codename
            ).first()
        )
    ]
    return root, permissions


def uploaders_only_add(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    _, permissions = collection_permissions(apps)
    GroupCollectionPermission.objects.filter(
        group__name__in=UPLOADERS, permission__in=permissions
    ).delete()


def uploaders_change_again(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root, permissions = collection_permissions(apps)
    if root is None:
        return
    for group in Group.objects.filter(name__in=UPLOADERS):
        for permission in permissions:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0009_clean_stored_text"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(uploaders_only_add, uploaders_change_again)]
