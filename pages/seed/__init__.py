"""Load the clinic's seed content (shared/SEED_FACTS.md) as structured, published pages.

Idempotent: objects are found by their natural keys (slug, DOI, code system and value, name) and
only created when missing, so running it again creates no page, snippet or revision, and never
overwrites what editors changed since.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from modelcluster.models import get_all_child_relations
from wagtail.models import Page, ReferenceIndex, Site

from pages.models import (
    CONTENT_PAGE_MODELS,
    CauseIndexPage,
    CausePage,
    CauseStatistic,
    ConditionCauseLink,
    ConditionIndexPage,
    ConditionOtherName,
    ConditionPage,
    ConditionSubtype,
    ConditionSymptomLink,
    ConditionTreatmentLink,
    Disclaimer,
    HomePage,
    MedicalCode,
    PageMedicalCode,
    PageReferenceLink,
    Reference,
    Reviewer,
    Symptom,
    TherapyContraindication,
    TherapyIndexPage,
    TherapyPage,
    TherapyReliefLink,
    TherapySideEffect,
    TreatmentExampleDrug,
    TreatmentIndexPage,
    TreatmentPage,
)
from pages.search import bulk_indexing, index_in_bulk
from pages.seed import data
from pages.signals import bulk_loading, content_loaded

INDEX_MODELS = {
    "condition": ConditionIndexPage,
    "cause": CauseIndexPage,
    "treatment": TreatmentIndexPage,
    "therapy": TherapyIndexPage,
}


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    existing: int = 0

    def note(self, obj, was_created):
        if was_created:
            self.created.append(f"{obj._meta.verbose_name}: {obj}")
        else:
            self.existing += 1


def number_inline_rows(page):
    """Give ordered inline rows their sort_order, as the admin's formsets do: the order is data."""
    for relation in get_all_child_relations(page):
        rows = getattr(page, relation.get_accessor_name()).all()
        for position, row in enumerate(rows):
            if hasattr(row, "sort_order"):
                row.sort_order = position


def one_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class SeedLoader:
    def __init__(self):
        self.report = SeedReport()
        self.today = timezone.localdate()
        self.references = {}
        self.codes = {}
        self.symptoms = {}
        self.pages = {}  # (type, slug) -> page
        self.created_pages = []

    def run(self):
        # Wagtail re-indexes references on every save of every inline row; index each created
        # page once at the end instead.
        with transaction.atomic(), bulk_indexing(CONTENT_PAGE_MODELS), bulk_loading():
            self.create_all()
            for page in self.created_pages:
                ReferenceIndex.create_or_update_for_object(page)
            index_in_bulk(
                {
                    model: list(model.objects.filter(pk__in=[p.pk for p in self.created_pages]))
                    for model in CONTENT_PAGE_MODELS
                }
            )
        if self.created_pages:
            content_loaded.send(type(self), page_ids=[page.pk for page in self.created_pages])
        return self.report

    def create_all(self):
        self.load_snippets()
        home = self.ensure_home()
        indexes = {
            kind: self.ensure_index(home, INDEX_MODELS[kind], slug, title)
            for kind, slug, title in data.INDEXES
        }
        for spec in data.CAUSES:
            self.ensure_content_page(indexes["cause"], CausePage, "cause", spec, self.cause_fields)
        for spec in data.TREATMENTS:
            self.ensure_content_page(
                indexes["treatment"], TreatmentPage, "treatment", spec, self.treatment_fields
            )
        self.ensure_content_page(
            indexes["condition"],
            ConditionPage,
            "condition",
            data.CONDITION,
            self.condition_fields,
        )
        self.ensure_content_page(
            indexes["therapy"], TherapyPage, "therapy", data.THERAPY, self.therapy_fields
        )

    # Snippets -----------------------------------------------------------------------------

    def get_or_create(self, model, lookup, defaults):
        obj, created = model.objects.get_or_create(**lookup, defaults=defaults)
        if created:
            obj.full_clean()
        self.report.note(obj, created)
        return obj

    def load_snippets(self):
        for key, fields in data.REFERENCES.items():
            self.references[key] = self.get_or_create(Reference, {"doi": fields["doi"]}, fields)
        for key, (system, value, display_name) in data.CODES.items():
            self.codes[key] = self.get_or_create(
                MedicalCode,
                {"system": system, "value": value},
                {"display_name": display_name, "verified": False},
            )
        for slug, name, description in data.SYMPTOMS:
            self.symptoms[slug] = self.get_or_create(
                Symptom, {"slug": slug}, {"name": name, "description": description}
            )
        reviewer = dict(data.REVIEWER)
        self.reviewer = self.get_or_create(Reviewer, {"name": reviewer.pop("name")}, reviewer)
        disclaimer = dict(data.DISCLAIMER)
        has_default = Disclaimer.objects.filter(is_default=True).exists()
        self.get_or_create(
            Disclaimer,
            {"name": disclaimer.pop("name")},
            {**disclaimer, "is_default": not has_default},
        )

    # Site structure -----------------------------------------------------------------------

    def ensure_home(self):
        home = HomePage.objects.first()
        if home:
            self.report.note(home, False)
            return home
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(title=data.PROVIDER, slug="clinic", intro="Medical content.")
        )
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True)
        welcome = site.root_page if site.pk else None
        site.root_page = home
        site.site_name = data.PROVIDER
        site.save()
        # Wagtail's initial migration creates a bare "Welcome" page: remove it once unused.
        if welcome and welcome.specific_class is Page and not welcome.get_children().exists():
            welcome.delete()
        self.report.note(home, True)
        return home

    def ensure_index(self, home, model, slug, title):
        page = model.objects.child_of(home).filter(slug=slug).first()
        if page:
            self.report.note(page, False)
            return page
        page = home.add_child(instance=model(title=title, slug=slug))
        page.save_revision().publish()
        self.report.note(page, True)
        return page

    # Content pages ------------------------------------------------------------------------

    def ensure_content_page(self, parent, model, kind, spec, build_fields):
        page = model.objects.child_of(parent).filter(slug=spec["slug"]).first()
        if page is None:
            page = model(
                slug=spec["slug"],
                title=spec["title"],
                summary=spec["summary"],
                search_description=spec["summary"],
                reviewed_by=self.reviewer,
                last_reviewed=self.today,
                next_review_due=one_year_after(self.today),
            )
            for key in spec.get("codes", []):
                page.code_links.add(PageMedicalCode(code=self.codes[key]))
            for key in spec.get("references", []):
                page.reference_links.add(PageReferenceLink(reference=self.references[key]))
            build_fields(page, spec)
            number_inline_rows(page)
            parent.add_child(instance=page)
            page.save_revision().publish()
            self.report.note(page, True)
            self.created_pages.append(page)
        else:
            self.report.note(page, False)
        self.pages[(kind, spec["slug"])] = page
        return page

    def cause_fields(self, page, spec):
        page.resulting_pain_syndrome = spec.get("resulting_pain_syndrome", "")
        for stat in spec.get("statistics", []):
            reference = self.references[stat["reference"]] if stat["reference"] else None
            page.statistics.add(
                CauseStatistic(
                    value=stat["value"],
                    population=stat["population"],
                    outcome=stat["outcome"],
                    reference=reference,
                )
            )

    def treatment_fields(self, page, spec):
        page.category = spec["category"]
        page.drug_class = spec.get("drug_class", "")
        for name, code_key in spec.get("example_drugs", []):
            code = self.codes[code_key] if code_key else None
            page.example_drugs.add(TreatmentExampleDrug(name=name, code=code))

    def condition_fields(self, page, spec):
        page.body = [{"type": "paragraph", "value": spec["definition"]}]
        page.symptoms_overview = spec["symptoms_overview"]
        for name in spec["also_known_as"]:
            page.also_known_as.add(ConditionOtherName(name=name))
        for slug in spec["symptoms"]:
            page.symptom_links.add(ConditionSymptomLink(symptom=self.symptoms[slug]))
        for subtype in spec["subtypes"]:
            page.subtypes.add(ConditionSubtype(**subtype))
        for slug, most_common, prevalence in spec["causes"]:
            page.cause_links.add(
                ConditionCauseLink(
                    cause=self.pages[("cause", slug)],
                    is_most_common=most_common,
                    prevalence=prevalence,
                )
            )
        for slug, note, caveat in spec["treatments"]:
            page.treatment_links.add(
                ConditionTreatmentLink(
                    treatment=self.pages[("treatment", slug)], note=note, efficacy_caveat=caveat
                )
            )
        page.treatment_approach = [
            {
                "type": "step",
                "value": {
                    "aim": step["aim"],
                    "heading": step["heading"],
                    "description": step["description"],
                    "causes": [self.pages[("cause", slug)].pk for slug in step["causes"]],
                    "symptoms": [self.symptoms[slug].pk for slug in step["symptoms"]],
                },
            }
            for step in spec["treatment_approach"]
        ]

    def therapy_fields(self, page, spec):
        for name in (
            "provider_name",
            "evidence_summary",
            "drug_name",
            "drug_class",
            "drug_background",
            "administration",
            "mechanism_target",
            "mechanism_of_action",
            "what_to_expect",
            "cta_label",
            "is_off_label",
            "approved_use",
            "monitoring",
        ):
            setattr(page, name, spec[name])
        page.cta_url = settings.WEBSITE_BASE_URL + spec["cta_path"]
        page.safety_reference = self.references[spec["safety_reference"]]
        page.body = [
            {
                "type": "evidence_claim",
                "value": {
                    "claim": spec["claim"],
                    "references": [self.references[key].pk for key in spec["claim_references"]],
                },
            }
        ]
        for kind, slug, label in spec["relieves"]:
            page.relief_links.add(TherapyReliefLink(target=self.pages[(kind, slug)], label=label))
        for name in spec["contraindications"]:
            page.contraindications.add(TherapyContraindication(name=name))
        for name, examples in spec["side_effects"]:
            page.side_effects.add(TherapySideEffect(name=name, examples=examples))


def load_seed_content():
    return SeedLoader().run()


__all__ = ["SeedReport", "load_seed_content", "one_year_after"]
