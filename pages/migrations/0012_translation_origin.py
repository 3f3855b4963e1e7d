import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pages", "0011_email_brand"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="TranslationOrigin",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("translation_id", models.CharField(max_length=255)),
                (
                    "source_id",
                    models.CharField(help_text="The object this one translates.", max_length=255),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "made_from",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The source's revision this translation matches (made from, "
                        "or last reviewed against).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wagtailcore.revision",
                    ),
                ),
                (
                    "source_live",
                    models.ForeignKey(
                        db_constraint=False,
                        help_text="The source's live revision (none while it is not live).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="wagtailcore.revision",
                    ),
                ),
            ],
            options={
                "verbose_name": "translation",
                "indexes": [
                    models.Index(fields=["content_type", "source_id"], name="translation_source")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("content_type", "translation_id"),
                        name="one_origin_per_translation",
                    )
                ],
            },
        ),
    ]
