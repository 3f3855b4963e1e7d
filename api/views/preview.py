"""GET /api/v1/preview/?token=... and /api/v1/preview/email/?token=...: a page's latest
revision, drafts included, in exactly the shape its channel's detail will have (api/preview.py
mints the tokens). Never cached: `Cache-Control: no-store`, `Referrer-Policy: no-referrer`."""

from django.http import Http404, HttpResponse

from wagtail.models import Page

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.views import APIView

from api import email, preview
from api.params import channel_param, check_parameters
from api.previews import draft_email, latest_draft, represent_draft
from api.schema import (
    ERROR_RESPONSES,
    ItemEmailSerializer,
    channel_parameter,
    items_of_any_type_by_channel,
    utm_parameters,
)
from api.serializers import SERIALIZERS
from api.stored import render
from pages.models import CONTENT_PAGE_MODELS
from pages.selectors import Visibility

TOKEN_PARAMETER = OpenApiParameter(
    "token",
    {"type": "string", "pattern": f"^{preview.TOKEN_PATTERN.pattern}$"},
    required=True,
    description="A preview token (the admin's preview links, `manage.py preview_token`).",
)
NOT_CACHED = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class InvalidPreviewToken(exceptions.AuthenticationFailed):
    type_slug = "preview-token-invalid"


class PreviewMixin:
    http_method_names = ["get", "head"]
    permission_classes = []  # the token is the credential (a key, when sent, is still checked)

    def draft(self, request):
        try:
            page_id = preview.read(request.query_params.get("token"))
        except preview.BadToken as problem:
            raise InvalidPreviewToken(str(problem)) from None
        page = Page.objects.filter(pk=page_id).first()
        if page is None or page.specific_class not in CONTENT_PAGE_MODELS:
            raise Http404("The page this token previews no longer exists.")
        return latest_draft(page.specific)

    def respond(self, data):
        return HttpResponse(render(data), content_type="application/json", headers=NOT_CACHED)


class PreviewView(PreviewMixin, APIView):
    """The page's latest revision (its draft, if it has one) as its detail in `channel`: its
    own relations as the draft has them, linked pages only while they are public."""

    @extend_schema(
        summary="Preview a draft as its detail",
        parameters=[TOKEN_PARAMETER, channel_parameter()],
        responses={
            200: items_of_any_type_by_channel(
                "PreviewItem", {c: s["detail"] for c, s in SERIALIZERS.items()}
            ),
            **ERROR_RESPONSES,
        },
        auth=[],
    )
    def get(self, request):
        check_parameters(request, {"token", "channel"})
        channel = channel_param(request)
        draft = self.draft(request)
        return self.respond(represent_draft(draft, Visibility.load(), channel))


class EmailPreviewView(PreviewMixin, APIView):
    """The page's latest revision as its email rendition (the shape of .../<slug>/email/)."""

    @extend_schema(
        summary="Preview a draft as email",
        parameters=[TOKEN_PARAMETER, *utm_parameters()],
        responses={200: ItemEmailSerializer, **ERROR_RESPONSES},
        auth=[],
    )
    def get(self, request):
        check_parameters(request, {"token", *email.UTM_PARAMS})
        draft = self.draft(request)
        defaults = {"utm_campaign": draft.slug, "utm_content": draft.slug}
        utm = email.utm_values(request, defaults)
        return self.respond(draft_email(draft, Visibility.load(), utm))
