"""Load the clinic's seed content (the facts in pages/seed/data.py) as structured, published pages.

Idempotent: objects are found by their natural keys (slug, DOI, code system and value, name) and
only created when missing, so running it again creates no page, snippet or revision, and never
overwrites what editors changed since. Pages are written by a bulk load (pages/seed/bulk.py), as
generate_content's are.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from wagtail.models import Locale, Page, Site, TranslatableMixin

from pages.models import (
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
    EmailBrand,
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
from pages.seed import data
from pages.seed.bulk import bulk_load
from pages.translations import originals

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


def one_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class SeedLoader:
    """Creates what is missing of the seed content through `load`, a bulk load (pages.seed.bulk)
    that indexes the new pages and tells listeners once it is done."""

    def __init__(self, load):
        self.load = load
        self.report = SeedReport()
        self.today = timezone.localdate()
        self.references = {}
        self.codes = {}
        self.symptoms = {}
        self.pages = {}  # (type, slug) -> page

    def create_all(self):
        self.load_snippets()
        home = self.ensure_home()
        indexes = self.ensure_indexes(home)
        for kind, model, specs, build_fields in [
            ("cause", CausePage, data.CAUSES, self.cause_fields),
            ("treatment", TreatmentPage, data.TREATMENTS, self.treatment_fields),
            ("condition", ConditionPage, [data.CONDITION], self.condition_fields),
            ("therapy", TherapyPage, [data.THERAPY], self.therapy_fields),
        ]:
            self.ensure_content_pages(indexes[kind], model, kind, specs, build_fields)
        return self.report

    # Snippets -----------------------------------------------------------------------------

    def get_or_create(self, model, lookup, defaults):
        rows = originals(model) if issubclass(model, TranslatableMixin) else model.objects
        obj, created = rows.get_or_create(**lookup, defaults=defaults)
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
        has_default = originals(Disclaimer).filter(is_default=True).exists()
        self.get_or_create(
            Disclaimer,
            {"name": disclaimer.pop("name")},
            {**disclaimer, "is_default": not has_default},
        )

    # Site structure -----------------------------------------------------------------------

    def ensure_home(self):
        home = self.existing(HomePage.objects.filter(locale=Locale.get_default()))
        if home:
            return home
        home = HomePage(title=data.PROVIDER, slug="clinic", intro="Medical content.")
        self.add_pages(Page.get_first_root_node(), [home])
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            site = Site(hostname="localhost", port=80, is_default_site=True)
        welcome = site.root_page if site.pk else None
        site.root_page = home
        site.site_name = data.PROVIDER
        site.save()
        brand = EmailBrand.for_site(site)
        if brand.clinic_name == EmailBrand._meta.get_field("clinic_name").default:
            brand.clinic_name = data.PROVIDER  # the rest (address, logo) is the clinic's to give
            brand.footer_text = data.EMAIL_FOOTER
            brand.save()
        # Wagtail's initial migration creates a bare "Welcome" page: remove it once unused.
        if welcome and welcome.specific_class is Page and not welcome.get_children().exists():
            welcome.delete()
        return home

    def ensure_indexes(self, home):
        indexes, missing = {}, []
        for kind, slug, title, intro in data.INDEXES:
            model = INDEX_MODELS[kind]
            indexes[kind] = self.existing(model.objects.child_of(home).filter(slug=slug))
            if indexes[kind] is None:
                indexes[kind] = model(title=title, slug=slug, intro=intro, show_in_menus=True)
                missing.append(indexes[kind])
        self.add_pages(home, missing)
        return indexes

    def ensure_content_pages(self, parent, model, kind, specs, build_fields):
        missing = []
        for spec in specs:
            page = self.existing(model.objects.child_of(parent).filter(slug=spec["slug"]))
            if page is None:
                page = self.content_page(model, spec, build_fields)
                missing.append(page)
            self.pages[(kind, spec["slug"])] = page
        self.add_pages(parent, missing)

    def existing(self, pages):
        page = pages.first()
        if page is not None:
            self.report.note(page, False)
        return page

    def add_pages(self, parent, pages):
        self.load.add_pages(parent, pages)
        for page in pages:
            self.report.note(page, True)

    # Content pages ------------------------------------------------------------------------

    def content_page(self, model, spec, build_fields):
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
        # Stream values are given as block values (model instances, not ids): Wagtail stores
        # them in its current format, every list item with its own id, as the admin does.
        page.body = [("paragraph", spec["definition"])]
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
            (
                "step",
                {
                    "aim": step["aim"],
                    "heading": step["heading"],
                    "description": step["description"],
                    "causes": [self.pages[("cause", slug)] for slug in step["causes"]],
                    "symptoms": [self.symptoms[slug] for slug in step["symptoms"]],
                },
            )
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
            (
                "evidence_claim",
                {
                    "claim": spec["claim"],
                    "references": [self.references[key] for key in spec["claim_references"]],
                },
            )
        ]
        for kind, slug, label in spec["relieves"]:
            page.relief_links.add(TherapyReliefLink(target=self.pages[(kind, slug)], label=label))
        for name in spec["contraindications"]:
            page.contraindications.add(TherapyContraindication(name=name))
        for name, examples in spec["side_effects"]:
            page.side_effects.add(TherapySideEffect(name=name, examples=examples))


def load_seed_content(load=None):
    """Create what is missing of the seed content; within `load` (a bulk load the caller runs)
    or in a bulk load of its own. Returns a SeedReport."""
    if load is not None:
        return SeedLoader(load).create_all()
    with bulk_load() as load:
        return SeedLoader(load).create_all()


__all__ = ["SeedReport", "load_seed_content", "one_year_after"]
