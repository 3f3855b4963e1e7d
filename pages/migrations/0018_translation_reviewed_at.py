from django.db import migrations, models


def reviewed_if_live(apps, schema_editor):
    """Page translations published before the record kept review times were published through
    the Medical review workflow (nothing else publishes medical content): reviewed."""
    TranslationOrigin = apps.get_model("pages", "TranslationOrigin")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    page_type = ContentType.objects.filter(app_label="wagtailcore", model="page").first()
    if page_type is None:
        return
    origins = list(TranslationOrigin.objects.filter(content_type=page_type))
    ids = [int(origin.translation_id) for origin in origins if origin.translation_id.isdigit()]
    live = {str(pk) for pk in Page.objects.filter(pk__in=ids, live=True).values_list("pk", flat=True)}
    for origin in origins:
        if origin.translation_id in live:
            origin.reviewed_at = origin.updated_at
            origin.save(update_fields=["reviewed_at"])


class Migration(migrations.Migration):
    dependencies = [("pages", "0017_reviewer_translations")]

    operations = [
        migrations.AddField(
            model_name="translationorigin",
            name="reviewed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When a medical review of this translation was last recorded (none: "
                "never reviewed, so never served).",
                null=True,
            ),
        ),
        migrations.RunPython(reviewed_if_live, migrations.RunPython.noop),
    ]
