"""Collections of public content: /api/v1/<collection>/ and /api/v1/<collection>/<slug>/."""

from django.db.models import Case, IntegerField, When
from django.http import Http404
from django.utils.functional import cached_property

from django_filters import utils
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, filters, mixins, viewsets
from rest_framework.decorators import action

from api.channels import email
from api.http import locales
from api.http.filters import VisibleFilterBackend, filterset_for
from api.http.pagination import StrictLimitOffsetPagination
from api.http.params import (
    LIST_MAX_LENGTH,
    SEARCH_SCHEMA,
    Query,
    channel_param,
    search_text,
    split_param,
    subset_param,
)
from api.http.problems import BadQuery
from api.http.schema import (
    ERROR_RESPONSES,
    LOCALE_REDIRECT,
    ItemEmailSerializer,
    channel_parameter,
    email_parameters,
    locale_parameters,
)
from api.serving.read_path import (
    ItemReader,
    ResponseParts,
    item_answer,
    language_keys,
    page_answer,
)
from api.serving.stored import render
from api.views.reading import AnsweringMixin
from pages.search import search_public
from pages.selectors import Visibility
from shapes import registry
from shapes.relations import expandable, search_links
from shapes.representation import APP, EMAIL_BRAND_KEY, WEB, page_key
from shapes.schema import FALLBACK_MARKERS, by_channel
from shapes.serializers import DETAIL, LIST, serializer_for


class StrictOrderingFilter(filters.OrderingFilter):
    """?ordering=-last_published_at,title: one or more fields, each optionally prefixed with
    '-' (descending), each field at most once. Default: title, then id."""

    def get_ordering(self, request, queryset, view):
        pattern = ordering_pattern(view.ordering_fields)
        hint = (
            f"each at most once, from {', '.join(view.ordering_fields)}, optionally "
            "prefixed with '-' for descending"
        )
        fields = split_param(request, self.ordering_param, pattern, hint, max_length=None)
        if fields is None:
            return self.get_default_ordering(view)
        names = [field.removeprefix("-") for field in fields]
        if len(set(names)) != len(names):
            raise BadQuery({"ordering": ["Give each field at most once."]})
        return [*fields, "id"] if "id" not in names else fields

    def get_schema_operation_parameters(self, view):
        fields = ", ".join(view.ordering_fields)
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Comma-separated fields to order by, each at most once and "
                f"optionally prefixed with '-' for descending: {fields}. Default: title, then id.",
                "schema": {"type": "string", "pattern": ordering_pattern(view.ordering_fields)},
            }
        ]

    def filter_queryset(self, request, queryset, view):
        if request.query_params.get(self.ordering_param) is None and getattr(
            view, "search_ranked", False
        ):
            return queryset  # ?search= without ?ordering= keeps relevance order
        return super().filter_queryset(request, queryset, view)


class TextSearchFilter(filters.BaseFilterBackend):
    """?search=nerve pain — items of this collection matching the text (title, other names,
    summary, body), most relevant first unless ?ordering= is given."""

    param = "search"

    def filter_queryset(self, request, queryset, view):
        query = search_text(request, self.param)
        if query is None:
            return queryset
        ids = [
            page.pk
            for page in search_public(
                query,
                models=[view.model],
                visibility=view.visibility,
                links=search_links([view.model]),
                sources=registry.models(),
            )
        ]
        view.search_ranked = True
        rank = Case(
            *[When(pk=pk, then=position) for position, pk in enumerate(ids)],
            output_field=IntegerField(),
        )
        return queryset.filter(pk__in=ids).order_by(rank) if ids else queryset.none()

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": self.__doc__.strip(),
                "schema": SEARCH_SCHEMA,
            }
        ]


def ordering_pattern(fields):
    """The `ordering` values the server accepts: the fields, each optionally prefixed with '-',
    comma-separated, none given twice (the look-ahead refuses a repeated field)."""
    names = "|".join(fields)
    repeated = rf"(?!(?:.*,)?-?({names})(?:,.*)?,-?\1(?:,|$))"  # ECMA-262 and Python alike
    return rf"^{repeated}-?(?:{names})(?:,-?(?:{names}))*$"


def names_pattern(names):
    """Comma-separated `names` (each any number of times), as api.http.params.subset_param takes."""
    choice = "|".join(names)
    return rf"^({choice})(,({choice}))*$"


def shape_parameters(serializer, model):
    """`fields=` and `expand=` for one collection, naming the values it accepts."""
    fields = sorted(serializer.field_names())
    relations = sorted(expandable(model))
    parameters = [
        OpenApiParameter(
            "fields",
            {"type": "string", "pattern": names_pattern(fields), "maxLength": LIST_MAX_LENGTH},
            description="Comma-separated fields to return; the others are left out (`id` and "
            "`type` always stay, so they are the only properties item schemas require). "
            f"One or more of: {', '.join(fields)}.",
        )
    ]
    if relations:
        parameters.append(
            OpenApiParameter(
                "expand",
                {
                    "type": "string",
                    "pattern": names_pattern(relations),
                    "maxLength": LIST_MAX_LENGTH,
                },
                description="Comma-separated relations to embed as the related items' list "
                f"shape plus the link annotations. One or more of: {', '.join(relations)}.",
            )
        )
    return parameters


class ContentViewSet(
    locales.AnswersInLanguage,
    AnsweringMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Read-only collection of one content type: the public items (pages.selectors.Visibility),
    answered from their stored representations (api/serving/read_path.py). The serializers below
    describe the shapes for the OpenAPI document; shapes.represent builds them."""

    model = None
    http_method_names = ["get", "head"]
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    pagination_class = StrictLimitOffsetPagination
    filter_backends = [VisibleFilterBackend, TextSearchFilter, StrictOrderingFilter]
    ordering_fields = ["title", "first_published_at", "last_published_at", "id"]
    ordering = ["title", "id"]
    list_parameters = {
        "limit",
        "offset",
        "search",
        "ordering",
        "fields",
        "expand",
        "channel",
        locales.PARAM,
    }
    detail_parameters = {"fields", "expand", "channel", locales.PARAM}

    @property
    def filterset_class(self):
        return filterset_for(self.model)

    @cached_property
    def visibility(self):
        return self.choice.visibility() if self.choice else Visibility.load()

    def initial(self, request, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:  # before the parameters
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        query = Query(request, self.allowed_parameters())
        self.fields_param = query.value("fields", self.parse_fields)
        self.expand_param = query.value("expand", self.parse_expand)
        self.channel = query.value("channel", lambda: channel_param(request))
        self.read_language(query, locales.EMAIL if self.action == "email" else self.channel or WEB)
        if self.action == "list":
            self.check_list_parameters(query)
        if self.action == "email":
            query.check(lambda: email.utm_values(request, {}))
            query.check(lambda: email.esp_of(request, email.Esp.MAILCHIMP))
        query.done()

    def allowed_parameters(self):
        if self.action == "list":
            return self.list_parameters | set(self.filterset_class.base_filters)
        if self.action == "email":
            return {*email.UTM_PARAMS, email.ESP_PARAM, locales.PARAM}
        return self.detail_parameters

    def check_list_parameters(self, query):
        """The list's own parameters, read again where they are used (pagination, ordering,
        search, filters): checked here so that each bad one is named, before the response
        cache is consulted."""
        request = self.request
        self.paginator.check(query)
        ordering = StrictOrderingFilter()
        query.value(ordering.ordering_param, lambda: ordering.get_ordering(request, None, self))
        query.value(TextSearchFilter.param, lambda: search_text(request, TextSearchFilter.param))
        if self.filters_given():
            query.check(self.check_filters)

    def check_filters(self):
        """The FilterSet's validation, as the filter backend runs it (django-filter)."""
        filterset = self.filterset_class(
            self.request.query_params,
            queryset=self.model.objects.none(),
            request=self.request,
            visibility=self.visibility,
        )
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)

    def serializer_for_action(self):
        return serializer_for(self.model, LIST if self.action == "list" else DETAIL)

    def get_serializer_class(self):
        return self.serializer_for_action()

    def parse_fields(self):
        return subset_param(
            self.request, "fields", self.serializer_for_action().field_names(), "field(s)"
        )

    def parse_expand(self):
        known = expandable(self.model)
        return subset_param(self.request, "expand", known, "relation(s) to expand") or set()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation: no database
            return self.model.objects.none()
        return self.visibility.pages(self.model)

    def collection_keys(self):
        return language_keys(registry.of(self.model).collection, self.visibility.language)

    def list(self, request, *args, **kwargs):
        return self.answered_in_language(request, self.list_answer, self.collection_keys())

    def list_answer(self):
        reader = ItemReader(self.visibility, self.request, self.channel)
        if self.filters_given():
            queryset = self.filter_queryset(self.get_queryset())
            ids = self.paginator.paginate_rows(
                self.request,
                queryset.count,
                lambda offset, limit: queryset.values_list("pk", flat=True)[
                    offset : offset + limit
                ],
            )
        else:  # the whole collection in some order: prepared queries (api/serving/read_path.py)
            ordering = StrictOrderingFilter().get_ordering(self.request, None, self)
            ids = self.paginator.paginate_rows(
                self.request,
                lambda: reader.collection_count(self.model),
                lambda offset, limit: reader.collection_page(self.model, ordering, offset, limit),
            )
        rows = reader.rows_in_order(ids, LIST)
        return page_answer(
            reader,
            rows,
            self.paginator.envelope(),
            self.fields_param,
            self.expand_param,
            self.collection_keys(),
            self.model,
        )

    def filters_given(self):
        return any(
            name in self.request.query_params
            for name in [TextSearchFilter.param, *self.filterset_class.base_filters]
        )

    def retrieve(self, request, *args, **kwargs):
        return self.answered_in_language(request, self.detail_answer)

    def detail_answer(self):
        slug = self.kwargs["slug"]
        reader = ItemReader(self.visibility, self.request, self.channel)
        answer = item_answer(
            reader,
            self.model,
            reader.item_by_slug(self.model, slug),
            self.fields_param,
            self.expand_param,
            self.collection_keys(),
        )
        if answer is None:
            raise self.not_found(slug)
        return answer

    def not_found(self, slug):
        return Http404(f"No public {registry.of(self.model).name} has the slug '{slug}'.")

    @action(detail=True, methods=["get", "head"], url_path="email")
    def email(self, request, *args, **kwargs):
        """The item as email content (api/channels/email.py), from its stored web detail, in
        the language asked for (the email channel's fallback)."""
        slug = self.kwargs["slug"]
        utm = email.utm_values(request, {"utm_campaign": slug, "utm_content": slug})
        brand = email.brand()
        esp = email.esp_of(request, the_brand=brand)
        return self.answered_in_language(
            request, lambda: self.email_answer(slug, utm, esp, brand), self.collection_keys()
        )

    def email_answer(self, slug, utm, esp, brand):
        reader = ItemReader(self.visibility, self.request, WEB)
        pieces = reader.copies(reader.item_by_slug(self.model, slug), DETAIL)
        if not pieces:
            raise self.not_found(slug)
        (piece,) = pieces.values()
        signature = f"email|{email.VERSION}|{email.utm_signature(utm)}|{esp}"
        language = reader.visibility.language

        def body():
            data = piece.data_answered(language)
            markers = {key: data[key] for key in FALLBACK_MARKERS if key in data}
            return render(email.item_email(data, utm, esp, brand) | markers)

        return ResponseParts(
            etag=reader.etag(signature, [piece], [render(brand)]),
            keys=[*self.collection_keys(), EMAIL_BRAND_KEY, *sorted(reader.keys)],
            expires=reader.expires,
            body=body,
            validators=[page_key(piece.page_id), EMAIL_BRAND_KEY],
            headers={"Content-Language": piece.language},
        )


def content_viewset(model):
    """A ContentViewSet subclass for `model`, with its OpenAPI description."""
    item_type = registry.of(model)
    name = item_type.name
    detail_serializer = serializer_for(model, DETAIL)
    list_serializer = serializer_for(model, LIST)
    title = name.title()
    slug_parameter = OpenApiParameter(
        "slug",
        {"type": "string", "pattern": f"^{ContentViewSet.lookup_value_regex}$"},
        OpenApiParameter.PATH,
        examples=[OpenApiExample("From the seed content", item_type.example_slug)],
    )
    list_item = by_channel(
        f"{title}ListItem", list_serializer, serializer_for(model, LIST, APP), many=True
    )
    detail = by_channel(f"{title}Item", detail_serializer, serializer_for(model, DETAIL, APP))
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {item_type.collection}",
            parameters=[
                *shape_parameters(list_serializer, model),
                channel_parameter(),
                *locale_parameters(),
            ],
            responses={200: list_item, **LOCALE_REDIRECT, **ERROR_RESPONSES},
        ),
        retrieve=extend_schema(
            summary=f"One {name} by slug",
            parameters=[
                slug_parameter,
                *shape_parameters(detail_serializer, model),
                channel_parameter(),
                *locale_parameters(),
            ],
            responses={200: detail, **LOCALE_REDIRECT, **ERROR_RESPONSES},
        ),
        email=extend_schema(
            summary=f"One {name} as email content",
            description="A complete, responsive HTML document an email service provider can "
            "send as it is, its plain-text part and its links, with UTM parameters on every "
            "link to the website and the chosen ESP's unsubscribe merge tag in its footer. "
            "Cache it like the JSON: ETag, Cache-Control, surrogate keys.",
            parameters=[slug_parameter, *email_parameters(), *locale_parameters()],
            responses={200: ItemEmailSerializer, **LOCALE_REDIRECT, **ERROR_RESPONSES},
        ),
    )(
        type(
            f"{model.__name__}ViewSet",
            (ContentViewSet,),
            {"model": model, "__doc__": ContentViewSet.__doc__},
        )
    )
