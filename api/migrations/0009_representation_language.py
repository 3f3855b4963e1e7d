from django.db import migrations, models

import pages.selectors


class Migration(migrations.Migration):
    """Each item's language (rows stored before it are in the default language: no other
    language was served) and the key its versions in every language share (filled as items
    are represented again)."""

    dependencies = [("api", "0008_refresh_task_path")]

    operations = [
        migrations.AddField(
            model_name="representationstate",
            name="language",
            field=models.CharField(
                default=pages.selectors.default_language,
                help_text="The item's language code",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="representationstate",
            name="translation_key",
            field=models.UUIDField(db_index=True, null=True),
        ),
    ]
