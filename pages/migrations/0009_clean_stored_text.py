"""Text already stored gets what every write path now does to new text (pages.text_safety):
control characters, lone surrogates and noncharacters out, rich text sanitized to the editor's
features; in rows and in revisions (an old draft waits there to be published). An unsafe URL
already stored is left for the renderers, which drop it: a migration cannot ask anyone."""

from django.db import migrations

from pages.text_safety import clean_fields, clean_serialized

CLEANED = [("pages", None), ("wagtailimages", "image"), ("wagtaildocs", "document")]
BATCH = 500


def cleaned_models(apps):
    for app_label, model_name in CLEANED:
        if model_name:
            yield apps.get_model(app_label, model_name)
        else:
            yield from apps.get_app_config(app_label).get_models()


def clean_rows(apps, schema_editor):
    for model in cleaned_models(apps):
        for row in model._default_manager.order_by("pk").iterator(chunk_size=BATCH):
            changed = clean_fields(row)
            if changed:
                model._default_manager.filter(pk=row.pk).update(
                    **{name: getattr(row, name) for name in changed}
                )


def clean_revisions(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    models = {}
    for content_type in ContentType.objects.filter(app_label__in=[a for a, _ in CLEANED]):
        try:
            models[content_type.pk] = apps.get_model(content_type.app_label, content_type.model)
        except LookupError:  # a model since deleted
            continue
    revisions = Revision.objects.filter(content_type_id__in=models).order_by("pk")
    for revision in revisions.iterator(chunk_size=BATCH):
        content = clean_serialized(models[revision.content_type_id], revision.content)
        if content != revision.content:
            Revision.objects.filter(pk=revision.pk).update(content=content)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0008_snippet_review"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(clean_rows, migrations.RunPython.noop),
        migrations.RunPython(clean_revisions, migrations.RunPython.noop),
    ]
