"""Settings > Webhook endpoints (the secret shown once, rotatable) and Settings > Webhook
deliveries (the delivery log with each attempt, and "redeliver"); failing endpoints are flagged
on the admin dashboard."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import CreateView, EditView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from webhooks import delivery
from webhooks.models import EVENT_TYPES, Delivery, Endpoint


class EndpointForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {text}") for name, text in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="None ticked: every event, including types added later.",
    )


def show_secret(request, endpoint, secret, rotated=False):
    """The secret, shown once (rendered here, never stored in a message or a redirect)."""
    return TemplateResponse(
        request,
        "webhooks/secret.html",
        {
            "endpoint": endpoint,
            "secret": secret,
            "rotated": rotated,
            "grace_hours": settings.WEBHOOKS_ROTATION_GRACE_SECONDS / 3600,
            "index_url": reverse("webhook_endpoints:index"),
            "edit_url": reverse("webhook_endpoints:edit", args=[endpoint.pk]),
        },
    )


class EndpointCreateView(CreateView):
    def get_success_message(self, instance):
        return None

    def form_valid(self, form):
        super().form_valid(form)
        return show_secret(self.request, self.object, self.object.secret)


class EndpointEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            HeaderButton(
                "Rotate secret",
                url=reverse("webhook_endpoints:rotate", args=[self.object.pk]),
                icon_name="key",
                priority=30,
            ),
        ]


def may_manage(user):
    """Rotating secrets and redelivering are for whoever may change endpoints."""
    return user.has_perm("webhooks.change_endpoint")


def rotate_secret(request, pk):
    """GET: what rotating does; POST: a new secret, shown once."""
    if not may_manage(request.user):
        raise PermissionDenied
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if request.method == "POST":
        secret = endpoint.rotate_secret(settings.WEBHOOKS_ROTATION_GRACE_SECONDS)
        return show_secret(request, endpoint, secret, rotated=True)
    return TemplateResponse(
        request,
        "webhooks/rotate.html",
        {
            "endpoint": endpoint,
            "grace_hours": settings.WEBHOOKS_ROTATION_GRACE_SECONDS / 3600,
            "edit_url": reverse("webhook_endpoints:edit", args=[endpoint.pk]),
        },
    )


class EndpointViewSet(ModelViewSet):
    model = Endpoint
    icon = "link-external"
    menu_label = "Webhook endpoints"
    add_to_settings_menu = True
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    copy_view_enabled = False
    list_display = ["url", "description", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    edit_handler = ObjectList(
        [
            FieldPanel("url"),
            FieldPanel("description"),
            FieldPanel("events"),
            FieldPanel("is_active"),
        ],
        base_form_class=EndpointForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("rotate/<int:pk>/", rotate_secret, name="rotate"),
        ]


class LogOnlyPolicy(ModelPermissionPolicy):
    """The delivery log is written by the worker: people read it and redeliver, nothing else."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_any_permission(user, ["view"])

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


register_permission_policy(Delivery, LogOnlyPolicy(Delivery))


class DeliveryInspectView(InspectView):
    template_name = "webhooks/delivery.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.log.order_by("number")
        context["body"] = self.object.event.body
        context["redeliver_url"] = reverse("webhook_deliveries:redeliver", args=[self.object.pk])
        context["can_redeliver"] = may_manage(self.request.user)
        return context


def redeliver(request, pk):
    if request.method != "POST" or not may_manage(request.user):
        raise PermissionDenied
    item = get_object_or_404(Delivery.objects.select_related("endpoint"), pk=pk)
    reason = delivery.redeliver(item)
    if reason:
        messages.error(request, f"Not redelivered: {reason}")
    else:
        messages.success(
            request,
            "Queued: the worker sends it again at its next round, with the same webhook-id.",
        )
    return redirect("webhook_deliveries:inspect", pk)


class DeliveryViewSet(ModelViewSet):
    model = Delivery
    icon = "history"
    menu_label = "Webhook deliveries"
    add_to_settings_menu = True
    inspect_view_enabled = True
    inspect_view_class = DeliveryInspectView
    copy_view_enabled = False
    list_display = [
        TitleColumn(
            "event",
            label="Event",
            accessor="event.type",
            get_url=lambda item: reverse("webhook_deliveries:inspect", args=[item.pk]),
        ),
        "endpoint",
        StatusTagColumn(
            "status",
            label="Status",
            accessor="get_status_display",
            primary=lambda item: item.status == Delivery.Status.SUCCEEDED,
        ),
        "attempts",
        "last_status_code",
        Column("created", label="Created", accessor="event.created_at"),
        "next_attempt_at",
    ]
    list_filter = ["status", "endpoint", "event__type"]
    form_fields = []

    def get_queryset(self, request):
        return Delivery.objects.select_related("event", "endpoint")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("redeliver/<int:pk>/", redeliver, name="redeliver"),
        ]


class FailingEndpointsPanel(Component):
    """On the dashboard: endpoints that are failing or were disabled by a 410."""

    name = "failing_webhooks"
    order = 50
    template_name = "webhooks/dashboard_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"failing": self.failing, "deliveries_url": reverse("webhook_deliveries:index")}

    def render_html(self, parent_context=None):
        if not self.request.user.has_perm("webhooks.view_endpoint"):
            return ""
        self.failing = [endpoint for endpoint in Endpoint.objects.all() if endpoint.is_failing]
        return super().render_html(parent_context) if self.failing else ""


@hooks.register("register_admin_viewset")
def register_endpoints():
    return EndpointViewSet("webhook_endpoints")


@hooks.register("register_admin_viewset")
def register_deliveries():
    return DeliveryViewSet("webhook_deliveries")


@hooks.register("construct_homepage_panels")
def flag_failing_endpoints(request, panels):
    panels.append(FailingEndpointsPanel(request))
