from django.db import migrations


class Migration(migrations.Migration):
    """The key-list columns say what they hold: the surrogate keys each shape shows."""

    dependencies = [("api", "0006_change_marks_and_cache_namespace")]

    operations = [
        migrations.RenameField("representationstate", "shows", "detail_keys"),
        migrations.RenameField("representationstate", "list_shows", "list_keys"),
    ]
