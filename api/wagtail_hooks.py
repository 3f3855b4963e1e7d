"""Settings > API keys: create (the key is shown once), rate-limit and revoke consumers' keys."""

from django import forms
from django.template.response import TemplateResponse
from django.urls import reverse

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from api.http.auth import new_secret
from api.models import ApiKey


class ApiKeyForm(WagtailAdminModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiKey.Scope.READ],
        help_text="read: the content API; preview: mint preview tokens (POST "
        "/api/v1/preview/tokens/); campaigns: campaigns when CAMPAIGNS_REQUIRE_KEY is on.",
    )


class ApiKeyCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.prefix, instance.secret_hash, self.raw_key = new_secret()
        instance.save()
        return instance

    def get_success_message(self, instance):
        return None

    def form_valid(self, form):
        """The key, shown once on the page itself: never in a message (a cookie or the
        session) or a redirect."""
        super().form_valid(form)
        response = TemplateResponse(
            self.request,
            "api/key_created.html",
            {"key": self.object, "raw_key": self.raw_key, "index_url": reverse("api_keys:index")},
        )
        response["Cache-Control"] = "no-store"
        return response


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = "API keys"
    add_to_settings_menu = True
    add_view_class = ApiKeyCreateView
    list_display = ["name", "channel", "scopes", "prefix", "is_active", "last_used_at"]
    list_filter = ["channel", "is_active"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("channel"),
            FieldPanel("scopes"),
            FieldPanel("requests_per_minute"),
            FieldPanel("is_active"),
        ],
        base_form_class=ApiKeyForm,
    )


@hooks.register("register_admin_viewset")
def register_api_keys():
    return ApiKeyViewSet("api_keys")
