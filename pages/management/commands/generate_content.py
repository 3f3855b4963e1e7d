"""Synthetic medical content at scale, for benchmarks and query-budget tests.

Every relation gets at least three links; bodies hold rich text with internal page links and
images that have renditions; every page has references, codes, a reviewer and a published
revision. Search and reference indexes are built in bulk at the end instead of once per save.
"""

import io
import random
import time

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Revision

from PIL import Image as PILImage

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
    MedicalCode,
    PageMedicalCode,
    PageReferenceLink,
    Reference,
    Reviewer,
    Symptom,
    TherapyIndexPage,
    TherapyPage,
    TherapyReliefLink,
    TherapySideEffect,
    TreatmentExampleDrug,
    TreatmentIndexPage,
    TreatmentPage,
)
from pages.renditions import ALL_RENDITION_SPECS
from pages.search import bulk_indexing, index_in_bulk
from pages.seed import load_seed_content, one_year_after
from pages.signals import bulk_loading, content_loaded

BODY_PARTS = ["lower back", "neck", "knee", "shoulder", "hip", "wrist", "foot", "jaw", "pelvic"]
QUALIFIERS = ["chronic", "acute", "recurrent", "post-surgical", "inflammatory", "idiopathic"]
NOUNS = ["pain", "neuralgia", "neuropathy", "tendinopathy", "syndrome", "myalgia"]
DRUGS = ["naproxen", "duloxetine", "pregabalin", "amitriptyline", "lidocaine", "capsaicin"]
CATEGORIES = [c for c, _ in TreatmentPage.Category.choices]


class Progress:
    """A one-line progress bar on a terminal; a line every 10% elsewhere (CI logs)."""

    def __init__(self, stream, label, total):
        self.stream, self.label, self.total = stream, label, max(total, 1)
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.last_decile = -1

    def update(self, done):
        fraction = done / self.total
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r{self.label:<12} [{bar:<30}] {done}/{self.total}")
            if done >= self.total:
                self.stream.write(f"  {time.monotonic() - self.started:.1f}s\n")
            self.stream.flush()
        elif int(fraction * 10) > self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(f"{self.label}: {done}/{self.total}\n")


class Command(BaseCommand):
    help = (
        "Generate realistic synthetic content at scale for benchmarks: N conditions plus "
        "causes, treatments and therapies linked to them (on top of the seed content)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--conditions", type=int, default=100, help="How many conditions.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (repeatable data).")

    def handle(self, *args, conditions, seed, **options):
        if not 1 <= conditions <= 100_000:
            raise CommandError("--conditions must be between 1 and 100000.")
        self.random = random.Random(seed)  # noqa: S311 (synthetic data, not security)
        self.out = self.stdout if options["verbosity"] else io.StringIO()
        self.run_id = f"{int(time.time()) % 100000:05d}{self.random.randint(0, 99):02d}"
        started = time.monotonic()
        load_seed_content()
        with transaction.atomic(), bulk_indexing(CONTENT_PAGE_MODELS), bulk_loading():
            pages = self.generate(conditions)
            self.index(pages)
        ids = [page.pk for batch in pages.values() for page in batch]
        self.out.write(f"Telling listeners (API change tracking) about {len(ids)} new pages...")
        content_loaded.send(type(self), page_ids=ids)
        self.out.write(
            self.style.SUCCESS(
                f"Generated {sum(len(v) for v in pages.values())} pages "
                f"({conditions} conditions) in {time.monotonic() - started:.1f}s."
            )
        )

    # Building blocks ---------------------------------------------------------------------

    def generate(self, n_conditions):
        self.today = timezone.localdate()
        self.reviewer = Reviewer.objects.first()
        self.symptoms = self.make_symptoms(12)
        self.references = self.make_references(24)
        self.codes = self.make_codes(30)
        self.images = self.make_images(6)
        n_side = max(3, n_conditions // 2)
        causes = self.make_pages(CausePage, CauseIndexPage, n_side, self.build_cause, "Causes")
        treatments = self.make_pages(
            TreatmentPage, TreatmentIndexPage, n_side, self.build_treatment, "Treatments"
        )
        self.causes, self.treatments = causes, treatments
        conditions = self.make_pages(
            ConditionPage, ConditionIndexPage, n_conditions, self.build_condition, "Conditions"
        )
        self.conditions = conditions
        self.n_therapies = max(3, n_conditions // 10)
        therapies = self.make_pages(
            TherapyPage,
            TherapyIndexPage,
            self.n_therapies,
            self.build_therapy,
            "Therapies",
        )
        return {
            CausePage: causes,
            TreatmentPage: treatments,
            ConditionPage: conditions,
            TherapyPage: therapies,
        }

    def make_symptoms(self, count):
        return [
            Symptom.objects.get_or_create(
                slug=f"gen-symptom-{i}", defaults={"name": f"Generated symptom {i}"}
            )[0]
            for i in range(count)
        ]

    def make_references(self, count):
        return [
            Reference.objects.get_or_create(
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
            MedicalCode.objects.get_or_create(
                system=MedicalCode.System.SNOMED_CT,
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
                PILImage.new("RGB", (1600, 900), colour).save(buffer, "JPEG", quality=80)
                image = Image(title=title)
                image.file = ImageFile(buffer, name=f"generated-hero-{i}.jpg")
                image.save()
            image.get_renditions(*ALL_RENDITION_SPECS)  # every rendition the API serves
            images.append(image)
        return images

    def child(self, page, relation, obj):
        """Queue an inline row (a link, a statistic...) to insert in bulk after the page."""
        page.__dict__.setdefault("generated_children", {}).setdefault(relation, []).append(obj)

    def save_children(self, pages):
        by_model = {}
        for page in pages:
            for rows in page.generated_children.values():
                for order, row in enumerate(rows):
                    row.page = page
                    row.sort_order = order
                    by_model.setdefault(type(row), []).append(row)
        for model, rows in by_model.items():
            model.objects.bulk_create(rows, batch_size=500)
        for page in pages:
            for relation, rows in page.generated_children.items():
                setattr(page, relation, rows)  # in memory too, for the revision snapshot

    def make_pages(self, model, index_model, count, build, label):
        """Append `count` pages under the section, computing tree paths here instead of asking
        treebeard for the last child on every insert."""
        parent = index_model.objects.get()
        last = parent.get_last_child()
        depth = parent.depth + 1
        path = last._inc_path() if last else Page._get_path(parent.path, depth, 1)
        progress = Progress(self.out, label, count)
        pages = []
        for i in range(count):
            page = self.base_page(model, i)
            build(page, i)
            page.depth, page.path, page._cached_parent_obj = depth, path, parent
            # Generated data is valid by construction; the first page of each type proves it.
            page.save(clean=i == 0)
            path = page._inc_path()
            pages.append(page)
            progress.update(i + 1)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + count)
        self.save_children(pages)
        self.publish(model, pages)
        return pages

    def base_page(self, model, i):
        image = self.random.choice(self.images)
        title = self.title_for(model, i)
        page = model(
            title=title,
            slug=f"gen-{self.run_id}-{model._meta.model_name[:-4]}-{i}",
            summary=f"{title}: what it is, why it happens and how it is treated.",
            search_description=f"About {title.lower()}.",
            hero_image=image,
            hero_image_alt=f"Illustration for {title.lower()}",
            reviewed_by=self.reviewer,
            last_reviewed=self.today,
            next_review_due=one_year_after(self.today),
            live=True,
            first_published_at=timezone.now(),
            last_published_at=timezone.now(),
        )
        for ref in self.random.sample(self.references, 3):
            self.child(page, "reference_links", PageReferenceLink(reference=ref))
        self.child(page, "code_links", PageMedicalCode(code=self.random.choice(self.codes)))
        return page

    def title_for(self, model, i):
        r = self.random
        if model is TreatmentPage:
            return f"{r.choice(DRUGS).capitalize()} regimen {i}"
        if model is TherapyPage:
            return f"{r.choice(['Infusion', 'Nerve block', 'Stimulation'])} therapy {i}"
        return f"{r.choice(QUALIFIERS).capitalize()} {r.choice(BODY_PARTS)} {r.choice(NOUNS)} {i}"

    def body_with_links(self, targets):
        links = " and ".join(f'<a linktype="page" id="{p.pk}">{p.title}</a>' for p in targets)
        return [
            {"type": "heading", "value": {"text": "Overview", "level": "h2"}},
            {"type": "paragraph", "value": f"<p>This is related to {links}.</p>"},
            {
                "type": "image",
                "value": {
                    "image": self.random.choice(self.images).pk,
                    "alt_text": "A clinician talking with a patient",
                    "decorative": False,
                },
            },
            {
                "type": "evidence_claim",
                "value": {
                    "claim": "<p>It helps many patients.</p>",
                    "references": [r.pk for r in self.random.sample(self.references, 2)],
                },
            },
        ]

    def build_cause(self, page, i):
        page.resulting_pain_syndrome = "Chronic pain" if i % 3 == 0 else ""
        self.child(
            page,
            "statistics",
            CauseStatistic(value=f"{10 + i % 80}%", population="adults", outcome="develop pain"),
        )

    def build_treatment(self, page, i):
        page.category = CATEGORIES[i % len(CATEGORIES)]
        page.drug_class = "Analgesics"
        page.how_it_works = "<p>It changes how pain signals travel.</p>"
        for name in self.random.sample(DRUGS, 3):
            self.child(page, "example_drugs", TreatmentExampleDrug(name=name))

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
        self.child(page, "also_known_as", ConditionOtherName(name=f"{page.title} disorder"))
        for symptom in r.sample(self.symptoms, 3):
            self.child(page, "symptom_links", ConditionSymptomLink(symptom=symptom))
        self.child(page, "subtypes", ConditionSubtype(name="Localised form", onset_site="one area"))
        for n, cause in enumerate(causes):
            self.child(
                page,
                "cause_links",
                ConditionCauseLink(cause=cause, is_most_common=n == 0, prevalence="Common"),
            )
        for treatment in treatments:
            self.child(
                page,
                "treatment_links",
                ConditionTreatmentLink(treatment=treatment, efficacy_caveat="Varies."),
            )
        page.treatment_approach = [
            {
                "type": "step",
                "value": {
                    "aim": "underlying-cause",
                    "heading": "Treat the cause",
                    "description": "",
                    "causes": [c.pk for c in causes],
                    "symptoms": [],
                },
            }
        ]

    def build_therapy(self, page, i):
        r = self.random
        page.provider_name = "Generated Clinic"
        page.drug_name = "Ketamine"
        page.mechanism_target = "NMDA receptor"
        page.is_off_label = True
        page.body = self.body_with_links(r.sample(self.conditions, 2))
        # Every condition and every cause is relieved by 3 therapies: therapy i takes the
        # conditions and causes whose round-robin slots land on it.
        n = self.n_therapies
        targets = [c for k, c in enumerate(self.conditions) if i in {(k + d) % n for d in range(3)}]
        targets += [c for k, c in enumerate(self.causes) if i in {(k + d) % n for d in range(3)}]
        for target in targets:
            self.child(page, "relief_links", TherapyReliefLink(target=target))
        for name in ["Nausea", "Dizziness", "Raised blood pressure"]:
            self.child(page, "side_effects", TherapySideEffect(name=name))

    # Publishing and indexing -------------------------------------------------------------

    def publish(self, model, pages):
        """One published revision per page, written in bulk."""
        now = timezone.now()
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    content_object=page,
                    base_content_type_id=page.content_type_id,
                    content_type_id=page.content_type_id,
                    object_id=str(page.pk),
                    content=page.serializable_data(),
                    object_str=page.title,
                    approved_go_live_at=None,
                    created_at=now,
                )
                for page in pages
            ]
        )
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision = revision
            page.live_revision = revision
            page.latest_revision_created_at = now
        model.objects.bulk_update(
            pages,
            ["latest_revision", "live_revision", "latest_revision_created_at"],
            batch_size=500,
        )

    def index(self, pages):
        """Search index in bulk, and reference index rows (new pages have none yet) in bulk."""
        index_in_bulk(pages)
        total = sum(len(v) for v in pages.values())
        progress = Progress(self.out, "References", total)
        rows, done = [], 0
        for model, objs in pages.items():
            content_types = [
                ContentType.objects.get_for_model(m, for_concrete_model=False)
                for m in [model, *model._meta.get_parent_list()]
            ]
            for page in objs:
                for to_ct, to_id, model_path, content_path in set(
                    ReferenceIndex._extract_references_from_object(page)
                ):
                    rows.append(
                        ReferenceIndex(
                            content_type=content_types[0],
                            base_content_type=content_types[-1],
                            object_id=page.pk,
                            to_content_type_id=to_ct,
                            to_object_id=to_id,
                            model_path=model_path,
                            content_path=content_path,
                            content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
                        )
                    )
                done += 1
                progress.update(done)
        ReferenceIndex.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
