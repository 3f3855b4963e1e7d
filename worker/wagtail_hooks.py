"""On the admin dashboard: background tasks given up on because their worker kept dying
(worker/leases.py), for whoever may view task leases (Administrators)."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from worker.models import TaskLease

SHOWN = 20


class AbandonedTasksPanel(Component):
    name = "abandoned_tasks"
    order = 55
    template_name = "worker/abandoned_tasks_panel.html"

    def __init__(self, abandoned):
        self.abandoned = abandoned

    def get_context_data(self, parent_context=None):
        return {"abandoned": self.abandoned}


@hooks.register("construct_homepage_panels")
def flag_abandoned_tasks(request, panels):
    if not request.user.has_perm("worker.view_tasklease"):
        return
    abandoned = TaskLease.objects.filter(abandoned_at__isnull=False).order_by("-abandoned_at")
    abandoned = list(abandoned[:SHOWN])
    if abandoned:
        panels.append(AbandonedTasksPanel(abandoned))
