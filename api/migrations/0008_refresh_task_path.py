from django.db import migrations

OLD, NEW = "api.changes.refresh_task", "api.record.changes.refresh_task"


def rename(old, new):
    def run(apps, schema_editor):
        """Refreshes queued before the change record moved to api/record/ run after it too."""
        DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0007_rename_key_columns"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
