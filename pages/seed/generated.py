"""Synthetic medical content at scale, for benchmarks and query-budget tests (generate_content).

Every relation gets at least three links; bodies hold rich text with internal page links and
images that have renditions; every page has references, codes, a reviewer and a published
revision. Dates aside, the content depends only on the PRNG seed and on what is already in the
database: slugs read `gen-<run>-<type>-<n>`, where the run counts on from the runs before (not
from the clock), so running it again adds a new set of pages beside the earlier ones.

A run is written in chunks of at most CHUNK conditions, each with its own causes, treatments and
therapies, each one bulk load (one transaction): memory stays bounded by a chunk, an interrupted
run keeps the chunks it finished, and `resume=True` continues the latest run from there.
"""

import io
import random
import re
from collections import Counter

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Locale, Page
from wagtail.models.copying import _copy

from PIL import Image as PILImage

from pages import models
from pages.renditions import ALL_RENDITION_SPECS
from pages.seed import load_seed_content, one_year_after
from pages.seed.bulk import Silent, bulk_load
from pages.translations import key, originals

# The generated hero images' size (GENERATED_IMAGE_SIZE overrides it: the test settings make
# them small, so a test's renditions take milliseconds, not seconds).
IMAGE_SIZE = (1600, 900)
BODY_PARTS = ["lower back", "neck", "knee", "shoulder", "hip", "wrist", "foot", "jaw", "pelvic"]
QUALIFIERS = ["chronic", "acute", "recurrent", "post-surgical", "inflammatory", "idiopathic"]
NOUNS = ["pain", "neuralgia", "neuropathy", "tendinopathy", "syndrome", "myalgia"]
DRUGS = ["naproxen", "duloxetine", "pregabalin", "amitriptyline", "lidocaine", "capsaicin"]
CATEGORIES = [c for c, _ in models.TreatmentPage.Category.choices]
RUN = re.compile(r"gen-(\d+)-")
GENERATED_MODELS = [
    models.CausePage,
    models.TreatmentPage,
    models.ConditionPage,
    models.TherapyPage,
]
CHUNK = 10_000  # conditions per transaction


def generate_content(conditions, seed=1, progress=None, resume=False, chunk=CHUNK):
    """Load the seed content if missing, then `conditions` conditions with half as many causes
    and treatments (at least 3 per chunk) and a tenth as many therapies (at least 3 per chunk),
    in chunks of at most `chunk` conditions. `resume`: continue the latest run until it holds
    `conditions` conditions, instead of starting a new run. Returns {page type: pages added}."""
    progress = progress or Silent()
    run, have = resumable_run() if resume else (next_run(), Counter())
    if have[models.ConditionPage]:
        progress.say(
            f"Run {run} holds {have[models.ConditionPage]:,} conditions: going on to "
            f"{conditions:,}."
        )
    added = Counter()
    while have[models.ConditionPage] < conditions:
        size = min(chunk, conditions - have[models.ConditionPage])
        start = have[models.ConditionPage]
        if start or size < conditions:
            progress.say(f"Conditions {start + 1:,} to {start + size:,} of {conditions:,}:")
        # Seeded by where the chunk starts, so a resumed run writes what an unbroken one would.
        prng = random.Random(seed if not start else f"{seed}-{start}")  # noqa: S311 (synthetic)
        with bulk_load(progress) as load:
            load_seed_content(load)
            pages = SyntheticContent(load, prng, run, have).generate(size)
        for model, new in pages.items():
            have[model] += len(new)
            added[model] += len(new)
        del pages, load  # a chunk's pages are not kept: memory stays bounded by one chunk
    return added


def resumable_run():
    """(the latest run, {page type: its pages so far}); a new run when there is none."""
    run = next_run() - 1
    if not run:
        return 1, Counter()
    have = Counter()
    for model in GENERATED_MODELS:
        prefix = f"gen-{run}-{model._meta.model_name.removesuffix('page')}-"
        have[model] = model.objects.filter(slug__startswith=prefix).count()
    return run, have


class SyntheticContent:
    def __init__(self, load, prng, run, offsets):
        self.load = load
        self.random = prng
        self.run = run
        self.offsets = offsets  # {page type: how many the run has before this chunk}
        self.today = timezone.localdate()

    def generate(self, n_conditions):
        self.reviewer = models.Reviewer.objects.first()
        self.symptoms = self.make_symptoms(12)
        self.references = self.make_references(24)
        self.codes = self.make_codes(30)
        self.images = self.make_images(6)
        n_side = max(3, n_conditions // 2)
        self.causes = self.make_pages("Causes", models.CauseIndexPage, n_side, self.build_cause)
        self.treatments = self.make_pages(
            "Treatments", models.TreatmentIndexPage, n_side, self.build_treatment
        )
        self.conditions = self.make_pages(
            "Conditions", models.ConditionIndexPage, n_conditions, self.build_condition
        )
        self.relief_targets = self.spread_relief(max(3, n_conditions // 10))
        therapies = self.make_pages(
            "Therapies", models.TherapyIndexPage, len(self.relief_targets), self.build_therapy
        )
        return {
            models.CausePage: self.causes,
            models.TreatmentPage: self.treatments,
            models.ConditionPage: self.conditions,
            models.TherapyPage: therapies,
        }

    # Snippets and images ------------------------------------------------------------------

    def make_symptoms(self, count):
        return [
            originals(models.Symptom).get_or_create(
                slug=f"gen-symptom-{i}", defaults={"name": f"Generated symptom {i}"}
            )[0]
            for i in range(count)
        ]

    def make_references(self, count):
        return [
            originals(models.Reference).get_or_create(
                doi=f"10.5555/generated.{i}",
                defaults={
                    "authors": f"Author{i} A, Writer B",
                    "title": f"A randomised trial of treatment {i} for chronic pain",
                    "journal": "J Pain Res",
                    "year": 2000 + i % 25,
                    "pmid": str(30000000 + i),
                },
            )[0]
            for i in range(count)
        ]

    def make_codes(self, count):
        return [
            originals(models.MedicalCode).get_or_create(
                system=models.MedicalCode.System.SNOMED_CT,
                value=str(900000000 + i),
                defaults={"display_name": f"Generated finding {i}"},
            )[0]
            for i in range(count)
        ]

    def make_images(self, count):
        Image = get_image_model()
        images = []
        for i in range(count):
            title = f"Generated hero {i}"
            image = Image.objects.filter(title=title).first()
            if image is None:
                buffer = io.BytesIO()
                colour = (40 + i * 30 % 200, 90, 160 - i * 10)
                size = getattr(settings, "GENERATED_IMAGE_SIZE", IMAGE_SIZE)
                PILImage.new("RGB", size, colour).save(buffer, "JPEG", quality=80)
                image = Image(title=title)
                image.file = ImageFile(buffer, name=f"generated-hero-{i}.jpg")
                image.save()
            image.get_renditions(*ALL_RENDITION_SPECS)  # every rendition the API serves
            images.append(image)
        return images

    # Pages --------------------------------------------------------------------------------

    def make_pages(self, label, index_model, count, build):
        """`count` pages of the type `index_model` holds, built by `build(page, i)` (i counts
        within the chunk; slugs and titles count on from the run's earlier chunks)."""
        (model,) = index_model.allowed_subpage_models()
        pages = []
        for i in range(count):
            page = self.base_page(model, self.offsets[model] + i)
            build(page, i)
            pages.append(page)
        # Generated pages are valid by construction; the first of each type proves it.
        parent = index_model.objects.get(locale=Locale.get_default())  # not a translation's
        return self.load.add_pages(parent, pages, label=label, validate="first")

    def base_page(self, model, i):
        r = self.random
        image = r.choice(self.images)
        title = self.title_for(model, i)
        page = model(
            title=title,
            slug=f"gen-{self.run}-{model._meta.model_name.removesuffix('page')}-{i}",
            summary=f"{title}: what it is, why it happens and how it is treated.",
            search_description=f"About {title.lower()}.",
            hero_image=image,
            hero_image_alt=f"Illustration for {title.lower()}",
            reviewed_by=self.reviewer,
            last_reviewed=self.today,
            next_review_due=one_year_after(self.today),
        )
        page.reference_links = [
            models.PageReferenceLink(reference=ref) for ref in r.sample(self.references, 3)
        ]
        page.code_links = [models.PageMedicalCode(code=r.choice(self.codes))]
        return page

    def title_for(self, model, i):
        r = self.random
        if model is models.TreatmentPage:
            return f"{r.choice(DRUGS).capitalize()} regimen {i}"
        if model is models.TherapyPage:
            return f"{r.choice(['Infusion', 'Nerve block', 'Stimulation'])} therapy {i}"
        return f"{r.choice(QUALIFIERS).capitalize()} {r.choice(BODY_PARTS)} {r.choice(NOUNS)} {i}"

    def body_with_links(self, targets):
        """A body linking to `targets`, given as block values (model instances, not ids), so
        that neither indexing nor the revision has to look the ids up again."""
        links = " and ".join(f'<a linktype="page" id="{p.pk}">{p.title}</a>' for p in targets)
        return [
            ("heading", {"text": "Overview", "level": "h2"}),
            ("paragraph", f"<p>This is related to {links}.</p>"),
            (
                "image",
                {
                    "image": self.random.choice(self.images),
                    "alt_text": "A clinician talking with a patient",
                    "decorative": False,
                },
            ),
            (
                "evidence_claim",
                {
                    "claim": "<p>It helps many patients.</p>",
                    "references": self.random.sample(self.references, 2),
                },
            ),
        ]

    def build_cause(self, page, i):
        page.resulting_pain_syndrome = "Chronic pain" if i % 3 == 0 else ""
        page.statistics = [
            models.CauseStatistic(
                value=f"{10 + i % 80}%", population="adults", outcome="develop pain"
            )
        ]

    def build_treatment(self, page, i):
        page.category = CATEGORIES[i % len(CATEGORIES)]
        page.drug_class = "Analgesics"
        page.how_it_works = "<p>It changes how pain signals travel.</p>"
        page.example_drugs = [
            models.TreatmentExampleDrug(name=name) for name in self.random.sample(DRUGS, 3)
        ]

    @staticmethod
    def round_robin(items, i, count=3):
        """`count` consecutive items from position i: spread evenly, so every item is linked
        about as often as the others (at least `count` times when there are fewer of them)."""
        return [items[(i * count + n) % len(items)] for n in range(count)]

    def build_condition(self, page, i):
        r = self.random
        causes = self.round_robin(self.causes, i)
        treatments = self.round_robin(self.treatments, i)
        page.body = self.body_with_links(causes[:2])
        page.symptoms_overview = "Symptoms vary from person to person."
        page.also_known_as = [models.ConditionOtherName(name=f"{page.title} disorder")]
        page.symptom_links = [
            models.ConditionSymptomLink(symptom=s) for s in r.sample(self.symptoms, 3)
        ]
        page.subtypes = [models.ConditionSubtype(name="Localised form", onset_site="one area")]
        page.cause_links = [
            models.ConditionCauseLink(cause=cause, is_most_common=n == 0, prevalence="Common")
            for n, cause in enumerate(causes)
        ]
        page.treatment_links = [
            models.ConditionTreatmentLink(treatment=treatment, efficacy_caveat="Varies.")
            for treatment in treatments
        ]
        page.treatment_approach = [
            (
                "step",
                {
                    "aim": "underlying-cause",
                    "heading": "Treat the cause",
                    "description": "",
                    "causes": causes,
                    "symptoms": [],
                },
            )
        ]

    def spread_relief(self, n_therapies):
        """What each of `n_therapies` therapies relieves: every condition and every cause is
        relieved by 3 consecutive therapies (conditions first, then causes, in order)."""
        targets = [[] for _ in range(n_therapies)]
        for items in (self.conditions, self.causes):
            for k, item in enumerate(items):
                for d in range(3):
                    targets[(k + d) % n_therapies].append(item)
        return targets

    def build_therapy(self, page, i):
        page.provider_name = "Generated Clinic"
        page.drug_name = "Ketamine"
        page.mechanism_target = "NMDA receptor"
        page.is_off_label = True
        page.body = self.body_with_links(
            self.random.sample(self.conditions, min(2, len(self.conditions)))
        )
        page.relief_links = [
            models.TherapyReliefLink(target=target) for target in self.relief_targets[i]
        ]
        page.side_effects = [
            models.TherapySideEffect(name=name)
            for name in ["Nausea", "Dizziness", "Raised blood pressure"]
        ]


def translate_generated(language, progress=None):
    """A published translation into `language`, its medical review recorded, of every generated
    page without one (the benchmark in two languages): a copy as Translate makes it (the same
    fields and inline rows, links still naming the default language's pages, which the API
    shows as their translations) with its title marked, under the sections' translations (made
    as aliases where missing). Returns {page type: translations added}."""
    from pages.models import TranslationOrigin

    locale = Locale.objects.get(language_code=language)
    default = Locale.get_default()
    added = Counter()
    with bulk_load(progress) as load:
        for model in GENERATED_MODELS:
            (index_model,) = model.allowed_parent_page_models()
            section = index_model.objects.get(locale=default)
            if not section.has_translation(locale):
                section.copy_for_translation(locale, copy_parents=True, alias=True)
            parent = section.get_translation(locale)
            translated = model.objects.filter(locale=locale).values("translation_key")
            sources = (
                model.objects.filter(locale=default, slug__startswith="gen-")
                .exclude(translation_key__in=translated)
                .order_by("pk")
            )
            pairs = [(source, translated_copy(source, locale)) for source in sources]
            label = f"{model._meta.verbose_name_plural.capitalize()} ({language})"
            load.add_pages(parent, [copy for _, copy in pairs], label=label, validate="first")
            now = timezone.now()
            TranslationOrigin.objects.bulk_create(
                TranslationOrigin(
                    content_type=key(copy)[0],
                    translation_id=key(copy)[1],
                    source_id=key(source)[1],
                    made_from_id=source.live_revision_id,
                    source_live_id=source.live_revision_id,
                    reviewed_at=now,
                )
                for source, copy in pairs
            )
            added[model] += len(pairs)
    return added


def translated_copy(source, locale):
    """An unsaved copy of page `source` in `locale` (fields and inline rows), its title marked."""
    exclude = [
        *source.default_exclude_fields_in_copy,
        *source.exclude_fields_in_copy,
        *("live_revision", "locale"),
    ]
    copy, _ = _copy(source, exclude_fields=exclude)
    copy.locale = locale
    copy.title = f"{source.title} ({locale.language_code})"
    return copy


def next_run():
    """1 + the highest run number among generated slugs (`gen-<run>-...`), so a second run adds
    pages beside the first one's instead of clashing with them."""
    slugs = Page.objects.filter(slug__startswith="gen-").values_list("slug", flat=True)
    return 1 + max((int(m[1]) for m in map(RUN.match, slugs) if m), default=0)
