"""The project's URLs plus Wagtail's own API v2 at /wagtail-api/v2/, exposing the same fields
and relations the delivery API shows, so both can be measured on the same pages."""

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

urlpatterns = [path("wagtail-api/v2/", router.urls), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
