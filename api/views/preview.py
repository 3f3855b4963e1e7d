"""GET /api/v1/preview/?token=... and /api/v1/preview/email/?token=...: a page's latest
revision, drafts included, in exactly the shape its channel's detail will have
(api/channels/preview_tokens.py mints the tokens). Never cached: `Cache-Control: no-store`,
`Referrer-Policy: no-referrer`."""

from django.conf import settings
from django.http import Http404, HttpResponse

from wagtail.models import Page

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.views import APIView

from api.channels import email, preview_tokens
from api.channels.drafts import draft_email, latest_draft, represent_draft
from api.http.auth import require_scope
from api.http.params import Query, channel_param, check_parameters
from api.http.parsers import MAX_DEPTH, JSONParser
from api.http.problems import PROBLEM_CONTENT_TYPE, BadQuery
from api.http.schema import (
    ERROR_RESPONSES,
    ItemEmailSerializer,
    ProblemSerializer,
    channel_parameter,
    email_parameters,
)
from api.models import ApiKey
from api.serving.stored import render
from pages.selectors import Visibility
from shapes import registry
from shapes.representation import APP, WEB
from shapes.schema import items_of_any_type_by_channel
from shapes.serializers import DETAIL, serializers_by_channel

TOKEN_PARAMETER = OpenApiParameter(
    "token",
    {"type": "string", "pattern": f"^{preview_tokens.TOKEN_PATTERN.pattern}$"},
    required=True,
    description="A preview token (the admin's preview links, `manage.py preview_token`). It is "
    "the credential: one that is malformed, changed, not issued here or expired is a 401 "
    "`preview-token-invalid` problem, once the other parameters are valid.",
)
NOT_CACHED = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class InvalidPreviewToken(exceptions.AuthenticationFailed):
    type_slug = "preview-token-invalid"


class PreviewMixin:
    http_method_names = ["get", "head"]
    permission_classes = []  # the token is the credential (a key, when sent, is still checked)

    def draft(self, request):
        try:
            page_id = preview_tokens.read(request.query_params.get("token"))
        except preview_tokens.BadToken as problem:
            raise InvalidPreviewToken(str(problem)) from None
        page = Page.objects.filter(pk=page_id).first()
        if page is None or not registry.of(page.specific_class):
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
            200: items_of_any_type_by_channel("PreviewItem", serializers_by_channel(DETAIL)),
            **ERROR_RESPONSES,
        },
        auth=[],
    )
    def get(self, request):
        query = Query(request, {"token", "channel"})
        channel = query.value("channel", lambda: channel_param(request))
        query.done()
        draft = self.draft(request)
        return self.respond(represent_draft(draft, Visibility.load(), channel))


class EmailPreviewView(PreviewMixin, APIView):
    """The page's latest revision as its email rendition (the shape of .../<slug>/email/)."""

    @extend_schema(
        summary="Preview a draft as email",
        parameters=[TOKEN_PARAMETER, *email_parameters()],
        responses={200: ItemEmailSerializer, **ERROR_RESPONSES},
        auth=[],
    )
    def get(self, request):
        email.check_utm(request, also={"token"}, esp=True)
        draft = self.draft(request)
        defaults = {"utm_campaign": draft.slug, "utm_content": draft.slug}
        utm = email.utm_values(request, defaults)
        return self.respond(draft_email(draft, Visibility.load(), utm, email.esp_of(request)))


class PreviewTokenRequestSerializer(serializers.Serializer):
    page = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The page's id (a condition, cause, ...)."
    )
    ttl = serializers.IntegerField(
        min_value=1,
        max_value=settings.PREVIEW_TOKEN_MAX_SECONDS,
        required=False,
        help_text=f"Seconds the token lives (default {preview_tokens.DEFAULT_TTL}; at most "
        "PREVIEW_TOKEN_MAX_SECONDS).",
    )


class PreviewTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as ?token= to /api/v1/preview/.")
    expires_at = serializers.DateTimeField()
    preview_url = serializers.URLField(help_text="The draft in the key's channel (web or app).")


class PreviewTokenView(APIView):
    """Mint a preview token: for a preview screen's server, with a key that has the `preview`
    scope (401 without a key, 403 for a key without the scope)."""

    http_method_names = ["post"]
    parser_classes = [JSONParser]
    permission_classes = []  # the scope is checked in post()

    @extend_schema(
        summary="Mint a preview token",
        operation_id="preview_tokens_create",
        request=PreviewTokenRequestSerializer,
        responses={
            201: PreviewTokenSerializer,
            **{k: v for k, v in ERROR_RESPONSES.items() if k != 304},
            (400, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description="The body is not JSON (UTF-8, strict: no NaN, no lone surrogates, "
                f"nested at most {MAX_DEPTH} levels), or not what minting takes; `errors` says "
                "what is wrong.",
            ),
            (413, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer,
                description="Content Too Large: a body over DATA_UPLOAD_MAX_MEMORY_SIZE bytes.",
            ),
            (415, PROBLEM_CONTENT_TYPE): OpenApiResponse(
                ProblemSerializer, description="Unsupported Media Type: send application/json."
            ),
        },
        auth=[{"ApiKey": []}],
    )
    def post(self, request):
        require_scope(request, ApiKey.Scope.PREVIEW)
        check_parameters(request, set())
        try:
            data = request.data
        except exceptions.ParseError as problem:
            raise BadQuery({"body": [str(problem.detail)]}, "The body could not be read.") from None
        if not isinstance(data, dict):
            raise BadQuery({"body": ['Send a JSON object: {"page": <id>, "ttl": <seconds>}.']})
        fields = PreviewTokenRequestSerializer(data=data)
        unknown = sorted(set(data) - set(fields.fields))
        if unknown or not fields.is_valid():
            errors = {name: ["Unknown field."] for name in unknown}
            errors.update(fields.errors if not unknown else {})
            raise BadQuery(errors, detail="The request body is invalid: " + ", ".join(errors))
        page_id, ttl = fields.validated_data["page"], fields.validated_data.get("ttl")
        try:
            preview_tokens.previewable(page_id)
        except ValueError as problem:  # no such page, or not content: nothing to preview
            raise Http404(str(problem)) from None
        token, expires_at = preview_tokens.mint(page_id, ttl)
        channel = APP if request.user.key["channel"] == ApiKey.Channel.APP else WEB
        body = {
            "token": token,
            "expires_at": expires_at.isoformat().replace("+00:00", "Z"),
            "preview_url": preview_tokens.preview_url(token, channel),
        }
        return HttpResponse(
            render(body), status=201, content_type="application/json", headers=NOT_CACHED
        )
