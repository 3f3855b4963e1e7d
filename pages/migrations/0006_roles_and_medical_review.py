"""The editorial roles and the "Medical review" workflow (pages/governance.py says who may do
what). Permissions do not exist yet during a fresh `migrate` (Django creates them after the
last migration): they are created here first.

- Editors: write pages and the medical library; submit for review; no publish permission.
- Medical reviewers: approve or reject, publish, mark reviewed.
- Marketing: campaigns and images; pages read-only.
- Administrators: everything.

Wagtail's default "Moderators" group (which could publish without a medical review) and its
"Moderators approval" workflow are replaced by these.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS, REVIEWERS, MARKETING, ADMINISTRATORS = (
    "Editors",
    "Medical reviewers",
    "Marketing",
    "Administrators",
)
WORKFLOW = "Medical review"
LIBRARY = ("reference", "medicalcode", "symptom")  # the medical snippets editors write
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")
DOCUMENT_PERMISSIONS = ("add_document", "change_document", "choose_document")
PAGE_PERMISSIONS = {
    EDITORS: ("add_page", "change_page", "lock_page"),
    REVIEWERS: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
    ADMINISTRATORS: (
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ),
}


def ensure_permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def model_permissions(Permission, app_label, actions, models):
    return list(
        Permission.objects.filter(
            content_type__app_label=app_label,
            codename__in=[f"{action}_{model}" for action in actions for model in models],
        )
    )


def create_roles(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    MedicalReviewTask = apps.get_model("pages", "MedicalReviewTask")
    ContentType = apps.get_model("contenttypes", "ContentType")

    root = Page.objects.filter(depth=1).order_by("path").first()
    collection = Collection.objects.filter(depth=1).order_by("path").first()
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    view = ("view",)
    write = ("add", "change", "view")
    groups = {}
    for name in (EDITORS, REVIEWERS, MARKETING, ADMINISTRATORS):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.clear()
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        groups[name] = group

    # Wagtail adds a publish permission to each draft-state model after migrating: now
    campaign_type, _ = ContentType.objects.get_or_create(app_label="pages", model="campaign")
    Permission.objects.get_or_create(
        content_type=campaign_type,
        codename="publish_campaign",
        defaults={"name": "Can publish campaign"},
    )
    grants = {
        EDITORS: model_permissions(Permission, "pages", write, LIBRARY)
        + model_permissions(Permission, "pages", view, ("reviewer", "disclaimer")),
        REVIEWERS: model_permissions(Permission, "pages", write + ("delete",), LIBRARY)
        + model_permissions(Permission, "pages", write, ("reviewer", "disclaimer")),
        MARKETING: model_permissions(
            Permission, "pages", write + ("delete", "publish"), ("campaign",)
        ),
        ADMINISTRATORS: list(Permission.objects.all()),
    }
    for name, permissions in grants.items():
        groups[name].permissions.add(access_admin, *permissions)
        for codename in IMAGE_PERMISSIONS + DOCUMENT_PERMISSIONS:
            if collection is None:
                break
            permission = Permission.objects.filter(codename=codename).first()
            if permission is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name], collection=collection, permission=permission
                )
    if root is not None:
        for name, codenames in PAGE_PERMISSIONS.items():
            for permission in Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=codenames
            ):
                GroupPagePermission.objects.get_or_create(
                    group=groups[name], page=root, permission=permission
                )

    # Wagtail's default moderation: anyone in Moderators could publish without a review
    for workflow in Workflow.objects.filter(name="Moderators approval"):
        WorkflowPage.objects.filter(workflow=workflow).delete()
        workflow.active = False
        workflow.save()
    Group.objects.filter(name="Moderators").delete()

    task_type, _ = ContentType.objects.get_or_create(app_label="pages", model="medicalreviewtask")
    task, _ = MedicalReviewTask.objects.get_or_create(
        name=WORKFLOW, defaults={"content_type": task_type, "active": True}
    )
    task.groups.set([groups[REVIEWERS]])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root is not None:
        WorkflowPage.objects.filter(page=root).delete()
        WorkflowPage.objects.create(page=root, workflow=workflow)


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0005_medical_review_task"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("api", "0005_key_scopes"),
        ("webhooks", "0001_outbox"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
