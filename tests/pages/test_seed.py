"""Every fact of the seed content (pages/seed/data.py), asserted on structured fields (never by
grepping prose)."""

import datetime

from django.core.management import call_command

from wagtail.models import Page, ReferenceIndex, Revision, Site

import pytest

from pages.models import (
    CausePage,
    ConditionPage,
    Disclaimer,
    HomePage,
    MedicalCode,
    Reference,
    Reviewer,
    Symptom,
    TherapyPage,
    TreatmentPage,
)

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

pytestmark = pytest.mark.django_db

CAUSE_SLUGS = [
    "diabetic-peripheral-neuropathy",
    "complex-regional-pain-syndrome",
    "amputation",
    "alcoholism",
    "spine-problems",
    "hiv-infection",
    "multiple-sclerosis",
    "shingles",
]


def condition():
    return ConditionPage.objects.get(slug="neuropathic-pain")


def therapy():
    return TherapyPage.objects.get(slug="ketamine-infusion-therapy")


def test_site_tree_and_urls(seeded):
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert [p.slug for p in home.get_children()] == [
        "conditions",
        "causes",
        "treatments",
        "therapies",
    ]
    assert condition().url == "/conditions/neuropathic-pain/"
    assert CausePage.objects.get(slug="shingles").url == "/causes/shingles/"
    assert therapy().url == "/therapies/ketamine-infusion-therapy/"
    # Wagtail's placeholder "Welcome" page is gone.
    assert not Page.objects.filter(depth=2).exclude(pk=home.pk).exists()


def test_every_seed_page_is_published_reviewed_and_has_the_disclaimer(seeded):
    pages = [
        *ConditionPage.objects.all(),
        *CausePage.objects.all(),
        *TreatmentPage.objects.all(),
        *TherapyPage.objects.all(),
    ]
    assert len(pages) == 1 + 8 + 8 + 1
    default = Disclaimer.objects.get(is_default=True)
    assert "not personal medical advice" in default.text
    assert "emergency" in default.emergency_text.lower()
    reviewer = Reviewer.objects.get()
    assert reviewer.kind == Reviewer.Kind.ORGANISATION
    for page in pages:
        assert page.live and page.live_revision_id and not page.has_unpublished_changes
        assert page.summary
        assert page.reviewed_by == reviewer
        assert page.last_reviewed == datetime.date(2026, 3, 10)
        assert page.next_review_due == datetime.date(2027, 3, 10)
        assert page.get_disclaimer() == default


def test_condition_facts(seeded):
    page = condition()
    assert page.title == "Neuropathic pain"
    assert [n.name for n in page.also_known_as.all()] == ["Nerve pain"]
    assert "damaged nerves" in page.summary or "nerves" in page.summary
    assert [link.symptom.slug for link in page.symptom_links.all()] == [
        "shooting-pain",
        "burning-pain",
        "tingling",
        "numbness",
    ]
    (subtype,) = page.subtypes.all()
    assert subtype.name == "Peripheral neuropathy"
    assert subtype.onset_site == "fingers and toes"
    assert subtype.progression == "spreads upward into the arms and legs"
    assert [link.cause.slug for link in page.cause_links.all()] == CAUSE_SLUGS
    most_common = [link for link in page.cause_links.all() if link.is_most_common]
    assert [link.cause.slug for link in most_common] == ["diabetic-peripheral-neuropathy"]
    assert "50%" in most_common[0].prevalence
    assert [c.code.value for c in page.code_links.all()] == ["247398009"]


def test_condition_treatment_approach_has_two_parts_linking_causes_and_symptoms(seeded):
    steps = [block.value for block in condition().treatment_approach]
    assert [step["aim"] for step in steps] == ["underlying-cause", "symptoms"]
    assert [p.slug for p in steps[0]["causes"]] == [
        "diabetic-peripheral-neuropathy",
        "spine-problems",
        "hiv-infection",
        "shingles",
        "multiple-sclerosis",
        "alcoholism",
    ]
    assert {s.slug for s in steps[1]["symptoms"]} >= {"numbness", "tingling"}
    assert any("pain" in s.slug for s in steps[1]["symptoms"])


def test_condition_treatments_with_examples_categories_and_the_opioid_caveat(seeded):
    links = list(condition().treatment_links.all())
    assert [link.treatment.slug for link in links] == [
        "anti-inflammatories",
        "opioids",
        "anti-seizure-medications",
        "antidepressants",
        "topical-creams-and-patches",
        "acupuncture",
        "herbal-remedies",
        "dietary-supplements",
    ]
    caveats = {link.treatment.slug: link.efficacy_caveat for link in links}
    assert "opioid" in caveats["opioids"].lower() and "poorly" in caveats["opioids"]
    assert [slug for slug, caveat in caveats.items() if caveat] == ["opioids"]
    treatments = {t.slug: t for t in TreatmentPage.objects.all()}
    examples = {slug: [d.name for d in t.example_drugs.all()] for slug, t in treatments.items()}
    assert examples["anti-inflammatories"] == ["ibuprofen"]
    assert examples["opioids"] == ["morphine"]
    assert examples["anti-seizure-medications"] == ["gabapentin"]
    categories = {slug: t.category for slug, t in treatments.items()}
    assert categories == {
        "anti-inflammatories": "medication",
        "opioids": "medication",
        "anti-seizure-medications": "medication",
        "antidepressants": "medication",
        "topical-creams-and-patches": "topical",
        "acupuncture": "alternative-medicine",
        "herbal-remedies": "alternative-medicine",
        "dietary-supplements": "alternative-medicine",
    }
    gabapentin = treatments["anti-seizure-medications"].example_drugs.get()
    assert (gabapentin.code.system, gabapentin.code.value) == ("ATC", "N03AX12")


def test_cause_facts(seeded):
    causes = {c.slug: c for c in CausePage.objects.all()}
    assert sorted(causes) == sorted(CAUSE_SLUGS)
    (stat,) = causes["diabetic-peripheral-neuropathy"].statistics.all()
    assert stat.value == "50%"
    assert "diabet" in stat.population
    assert causes["amputation"].resulting_pain_syndrome == "Phantom limb pain"
    codes = {
        slug: [(c.code.system, c.code.value) for c in page.code_links.all()]
        for slug, page in causes.items()
    }
    assert codes["complex-regional-pain-syndrome"] == [("ICD-10-CM", "G90.50")]
    assert codes["amputation"] == [("ICD-10-CM", "G54.6")]
    assert codes["shingles"] == [("ICD-10-CM", "B02.23")]
    assert codes["diabetic-peripheral-neuropathy"] == [("ICD-10-CM", "E11.42")]


def test_medical_codes_are_all_unverified(seeded):
    assert sorted((c.system, c.value) for c in MedicalCode.objects.all()) == sorted(
        [
            ("ICD-10-CM", "G90.50"),
            ("ICD-10-CM", "G54.6"),
            ("ICD-10-CM", "B02.23"),
            ("ICD-10-CM", "E11.42"),
            ("SNOMED CT", "247398009"),
            ("ATC", "N01AX03"),
            ("ATC", "N03AX12"),
        ]
    )
    assert not MedicalCode.objects.filter(verified=True).exists()
    for code in MedicalCode.objects.all():
        code.full_clean()


def test_references_carry_real_identifiers(seeded):
    refs = {r.doi: r for r in Reference.objects.all()}
    assert set(refs) == {
        "10.1097/AAP.0000000000000808",
        "10.1213/ANE.0000000000004185",
        "10.1016/S1474-4422(14)70251-0",
        "10.1002/14651858.CD007938.pub4",
    }
    cohen = refs["10.1097/AAP.0000000000000808"]
    assert (cohen.journal, cohen.year, cohen.volume, cohen.issue, cohen.pages) == (
        "Reg Anesth Pain Med",
        2018,
        "43",
        "5",
        "521-546",
    )
    assert refs["10.1213/ANE.0000000000004185"].pmid == "31082965"
    assert refs["10.1016/S1474-4422(14)70251-0"].pmid == "25575710"
    assert refs["10.1002/14651858.CD007938.pub4"].year == 2017
    for ref in refs.values():
        ref.full_clean()


def test_therapy_facts(seeded):
    page = therapy()
    assert page.provider_name == "Kalypso Wellness Centers"
    assert page.drug_name == "Ketamine"
    assert page.drug_class == "Anesthetic"
    assert "decades" in page.drug_background and "operating room" in page.drug_background
    assert "low-dose" in page.administration.lower() and "infusion" in page.administration
    assert page.mechanism_target == "NMDA receptor"
    assert "overstimulated" in page.mechanism_of_action
    assert "shown promise" in page.evidence_summary
    assert [(c.code.system, c.code.value) for c in page.code_links.all()] == [("ATC", "N01AX03")]
    relieves = [(link.target.slug, link.label) for link in page.relief_links.all()]
    assert relieves == [
        ("diabetic-peripheral-neuropathy", ""),
        ("shingles", ""),
        ("amputation", "Phantom limb pain"),
        ("complex-regional-pain-syndrome", ""),
        ("neuropathic-pain", ""),
    ]
    assert page.cta_label and page.cta_url.endswith("/contact/")


def test_therapy_safety_information(seeded):
    page = therapy()
    assert page.is_off_label is True
    assert page.approved_use == "Anesthesia"
    contraindications = [c.name.lower() for c in page.contraindications.all()]
    for expected in [
        "cardiovascular",
        "pregnancy",
        "psychosis",
        "liver",
        "intracranial",
        "intraocular",
    ]:
        assert any(expected in c for c in contraindications), expected
    side_effects = {s.name.lower(): s.examples for s in page.side_effects.all()}
    assert "hallucinations" in side_effects["dissociative or psychomimetic effects"]
    assert {"nausea", "dizziness", "raised blood pressure and heart rate"} <= set(side_effects)
    assert "monitoring" in page.monitoring
    assert page.safety_reference.doi == "10.1097/AAP.0000000000000808"


def test_faster_than_traditional_claim_links_to_its_evidence(seeded):
    claims = [block.value for block in therapy().body if block.block_type == "evidence_claim"]
    assert len(claims) == 1
    assert "faster than traditional" in claims[0]["claim"].source
    assert [r.doi for r in claims[0]["references"]] == [
        "10.1213/ANE.0000000000004185",
        "10.1097/AAP.0000000000000808",
    ]


def test_seed_is_idempotent_and_keeps_first_review_dates(seeded, freezer):
    def counts():
        models = [Page, Revision, Symptom, Reviewer, Reference, MedicalCode, Disclaimer]
        return {m.__name__: m.objects.count() for m in models}

    # the command also submits the Spanish translation, which the fixture leaves out
    call_command("seed_content", verbosity=0)
    before = counts()
    freezer.move_to("2026-09-01")
    call_command("seed_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
    assert condition().last_reviewed == datetime.date(2026, 3, 10)


def test_seed_keeps_editor_changes(seeded):
    page = condition()
    page.summary = "Edited by an editor."
    page.save_revision().publish()
    call_command("seed_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert condition().summary == "Edited by an editor."


def test_seed_numbers_every_ordered_inline_row(seeded):
    from pages.models import ConditionCauseLink, PageReferenceLink, TherapyReliefLink

    for model in (ConditionCauseLink, TherapyReliefLink, PageReferenceLink):
        assert not model.objects.filter(sort_order__isnull=True).exists(), model.__name__
    links = TherapyPage.objects.get(slug="ketamine-infusion-therapy").relief_links.all()
    assert [link.sort_order for link in links] == list(range(5))


def test_seed_pages_are_placed_published_and_indexed_as_wagtail_would(seeded):
    assert all(not problems for problems in Page.find_problems())  # treebeard: paths, numchild
    for page in Page.objects.filter(depth__gt=1).specific():
        parent = page.get_parent()
        assert page.url_path == f"{parent.url_path}{page.slug}/"
        assert page.live and page.live_revision_id == page.latest_revision_id
        (revision,) = Revision.page_revisions.filter(object_id=str(page.pk))
        assert revision.pk == page.live_revision_id

        def references(page=page):
            rows = ReferenceIndex.get_references_for_object(page)
            return set(rows.values_list("to_content_type", "to_object_id", "content_path"))

        written = references()
        ReferenceIndex.create_or_update_for_object(page)  # Wagtail's own indexing changes nothing
        assert references() == written
    shingles = CausePage.objects.get(slug="shingles")
    users = ReferenceIndex.get_references_to(shingles).values_list("object_id", flat=True)
    assert str(condition().pk) in users and str(therapy().pk) in users
    assert condition().pk in [page.pk for page in ConditionPage.objects.search("neuropathic")]
