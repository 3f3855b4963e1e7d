"""The project's URLs plus Wagtail's own API v2 at /wagtail-api/v2/, exposing the same fields
and relations the delivery API shows, so both can be measured on the same pages; and the
ceiling: a plain Django view under /api/, behind the same middleware, returning the bytes of a
stored condition detail (what no API answer can beat on this machine)."""

from django.http import HttpResponse
from django.urls import path

from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from cms.urls import handler404, handler500
from cms.urls import urlpatterns as project_urlpatterns
from pages import models

# Declared here, not on the models: only the comparison needs them.
LINK_FIELDS = {
    models.ConditionCauseLink: ["cause", "is_most_common", "prevalence", "note"],
    models.ConditionTreatmentLink: ["treatment", "note", "efficacy_caveat"],
    models.ConditionSymptomLink: ["symptom", "note"],
    models.TherapyReliefLink: ["target", "label", "note"],
}
PAGE_FIELDS = {
    models.ConditionPage: [
        "summary",
        "hero_image",
        "symptom_links",
        "cause_links",
        "treatment_links",
    ],
    models.CausePage: ["summary", "hero_image"],
    models.TreatmentPage: ["summary", "hero_image", "category"],
    models.TherapyPage: ["summary", "hero_image", "relief_links"],
}
for model, names in {**LINK_FIELDS, **PAGE_FIELDS}.items():
    model.api_fields = [APIField(name) for name in names]

router = WagtailAPIRouter("wagtailapi")
router.register_endpoint("pages", PagesAPIViewSet)
_ceiling = []


def ceiling(request):
    """The stored detail of the first condition, read once per process."""
    if not _ceiling:
        from api.models import RepresentationState

        states = RepresentationState.objects.filter(type="condition", public=True)
        _ceiling.append(bytes(states.order_by("page_id").values_list("detail", flat=True)[0]))
    return HttpResponse(_ceiling[0], content_type="application/json")


urlpatterns = [
    path("wagtail-api/v2/", router.urls),
    path("api/ceiling/", ceiling),
    *project_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
