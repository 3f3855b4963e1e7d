"""Medical snippets and campaigns go through the "Medical review" workflow (0007 gave them draft
state and revisions):

- Medical reviewers may publish references, codes, symptoms, the disclaimer and campaigns.
- Editors and Marketing write them and submit them; they publish none of them.
- Administrators keep every permission, the new publish permissions among them.
"""

from importlib import import_module

from django.db import migrations

roles = import_module("pages.migrations.0006_roles_and_medical_review")
REVIEWED = (*roles.LIBRARY, "disclaimer", "campaign")
NAMES = {
    "reference": "reference",
    "medicalcode": "medical code",
    "symptom": "symptom",
    "disclaimer": "disclaimer",
    "campaign": "campaign",
}


def review_snippets(apps, schema_editor):
    roles.ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")

    # Wagtail adds a publish permission to each draft-state model after migrating: now
    for model in REVIEWED:
        content_type, _ = ContentType.objects.get_or_create(app_label="pages", model=model)
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"publish_{model}",
            defaults={"name": f"Can publish {NAMES[model]}"},
        )
    publish = roles.model_permissions(Permission, "pages", ("publish",), REVIEWED)
    campaigns = roles.model_permissions(
        Permission, "pages", ("add", "change", "view"), ("campaign",)
    )
    for group in Group.objects.filter(name=roles.REVIEWERS):
        group.permissions.add(*publish, *campaigns)
    for group in Group.objects.filter(name=roles.MARKETING):
        group.permissions.remove(*publish)
    for group in Group.objects.filter(name=roles.ADMINISTRATORS):
        group.permissions.add(*Permission.objects.all())

    workflow = Workflow.objects.filter(name=roles.WORKFLOW).first()
    if workflow is not None:
        for model in REVIEWED:
            content_type = ContentType.objects.get(app_label="pages", model=model)
            WorkflowContentType.objects.update_or_create(
                content_type=content_type, defaults={"workflow": workflow}
            )


class Migration(migrations.Migration):
    dependencies = [("pages", "0007_snippet_draft_state")]

    operations = [migrations.RunPython(review_snippets, migrations.RunPython.noop)]
