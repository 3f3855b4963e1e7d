"""Translations under the same medical review (pages/translations.py): a translation is made as
an unreviewed draft, published only through the Medical review workflow, and outdated once its
source is published again, unless the source's reviewer says the change does not touch it."""

import datetime

from django.urls import reverse

from wagtail.models import Locale, PageLogEntry, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from pages import translations
from pages.models import CausePage, Disclaimer, Reviewer, Symptom
from pages.selectors import default_locale_id
from tests.pages.test_admin import page_form_data

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)


@pytest.fixture
def cause(seeded):
    return CausePage.objects.get(slug="shingles", locale__language_code="en")


def spanish():
    return Locale.objects.get(language_code="es")


def login(client, user):
    client.force_login(user)
    return client


def edit(client, page, reviewer_profile, **fields):
    data = page_form_data(CausePage, reviewer=reviewer_profile, **{"slug": page.slug, **fields})
    return client.post(reverse("wagtailadmin_pages:edit", args=[page.pk]), data)


def translate(client, user, page):
    """An editor's "Translate" (simple_translation) into Spanish; returns the new draft."""
    login(client, user)
    url = reverse("simple_translation:submit_page_translation", args=[page.pk])
    form = client.get(url).content.decode()  # offered, though its section is not translated
    assert "Sections above the page" in form and "disabled" not in form.split("locales")[-1]
    response = client.post(url, {"locales": [spanish().pk]})
    assert response.status_code == 302, response.content[-500:]
    return page.get_translation(spanish()).specific


def approve(client, reviewer, page, action="approve"):
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    login(client, reviewer)
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[page.pk, action, state.current_task_state.pk]
    )
    assert client.post(url, {"comment": ""}).status_code == 302
    page.refresh_from_db()
    return page


def republish(client, editor, reviewer, page, title, action="approve"):
    """The source edited by an editor and approved by a Medical reviewer."""
    login(client, editor)
    response = edit(client, page, page.reviewed_by, title=title, **{"action-submit": "submit"})
    assert response.status_code == 302
    return approve(client, reviewer, page, action)


def test_every_content_language_has_a_locale(db):
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"en", "es"}
    assert Locale.get_default().language_code == "en"


def test_the_default_locale_is_read_again_once_locales_change(db):
    assert default_locale_id() == Locale.get_default().pk
    assert default_locale_id.cache_info().currsize == 1
    Locale.objects.create(language_code="fr")
    assert default_locale_id.cache_info().currsize == 0  # a flush and migrate do the same
    assert default_locale_id() == Locale.get_default().pk


def test_a_translation_is_an_unreviewed_draft_made_from_the_live_source(client, editor, cause):
    translated = translate(client, editor, cause)
    assert translated.locale.language_code == "es"
    assert not translated.live and translated.alias_of_id is None
    assert (translated.reviewed_by, translated.last_reviewed, translated.next_review_due) == (
        None,
        None,
        None,
    )
    assert translated.summary == cause.summary  # the editor's starting point
    origin = translations.origin_of(translated)
    assert (origin.source_id, origin.made_from_id) == (str(cause.pk), cause.live_revision_id)
    assert translations.status(translated) == translations.CURRENT
    assert translations.status(cause) is None  # a source is no translation
    # the sections above it exist in Spanish as aliases of the English ones, outside the site
    assert translated.get_parent().alias_of_id == cause.get_parent().pk


def test_a_translation_is_published_only_through_the_medical_review(
    client, editor, reviewer, cause, freezer
):
    translated = translate(client, editor, cause)
    login(client, editor)
    edit(client, translated, cause.reviewed_by, title="Herpes zóster", **{"action-publish": "1"})
    translated.refresh_from_db()
    assert not translated.live  # an editor cannot publish it

    freezer.move_to("2026-06-01 10:00:00")
    login(client, editor)  # the session ran out with the clock
    response = edit(
        client, translated, cause.reviewed_by, title="Herpes zóster", **{"action-submit": "1"}
    )
    assert response.status_code == 302
    approved = approve(client, reviewer, translated)
    assert approved.live and approved.title == "Herpes zóster"
    assert approved.reviewed_by == Reviewer.objects.get(user=reviewer)  # for this locale
    assert approved.last_reviewed == datetime.date(2026, 6, 1)
    cause.refresh_from_db()
    assert cause.title == "Shingles" and cause.reviewed_by != approved.reviewed_by
    assert translations.status(approved) == translations.CURRENT


def test_a_new_source_revision_outdates_the_translation_until_it_is_reviewed(
    client, editor, reviewer, cause
):
    translated = translate(client, editor, cause)
    made_from = cause.live_revision_id
    republish(client, editor, reviewer, cause, "Shingles (herpes zoster)")
    assert cause.live_revision_id != made_from
    assert translations.status(translated) == translations.OUTDATED
    assert [o.translation.pk for o in translations.outdated()] == [translated.pk]

    # the editor of the translation is told, with the changes to look at
    login(client, editor)
    page = client.get(reverse("wagtailadmin_pages:edit", args=[translated.pk]))
    said = page.content.decode()
    assert "This translation is outdated" in said
    compare = reverse(
        "wagtailadmin_pages:revisions_compare", args=[cause.pk, made_from, cause.live_revision_id]
    )
    assert compare in said
    assert client.get(compare).status_code == 200
    report = client.get(reverse("outdated_translations")).content.decode()
    assert translated.title in report and compare in report
    source_page = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content
    assert "This translation is outdated" not in source_page.decode()
    assert "This is translated (Spanish)" in source_page.decode()

    # reviewing the translation says it matches the source as it is now
    edit(client, translated, cause.reviewed_by, title="Herpes zóster", **{"action-submit": "1"})
    approve(client, reviewer, translated)
    assert translations.status(translated) == translations.CURRENT
    assert list(translations.outdated()) == []
    report = client.get(reverse("outdated_translations_results")).content.decode()
    assert translated.title not in report and compare not in report


def test_a_reviewer_may_say_a_source_change_does_not_touch_its_translations(
    client, editor, reviewer, cause
):
    translated = translate(client, editor, cause)
    login(client, editor)
    edit(client, cause, cause.reviewed_by, title="Shingles.", **{"action-submit": "submit"})
    login(client, reviewer)
    form = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content.decode()
    assert "Approve and publish: no change for translations" in form
    approve(client, reviewer, cause, action="approve-no-translation-impact")
    assert cause.live and cause.title == "Shingles."
    assert cause.reviewed_by == Reviewer.objects.get(user=reviewer)  # still a review
    assert translations.status(translated) == translations.CURRENT
    entry = PageLogEntry.objects.filter(page=cause, action=translations.NO_IMPACT).get()
    assert entry.user_id == reviewer.pk and entry.data["translations"] == 1

    # the waiver is for that change only: the next one outdates the translation again
    republish(client, editor, reviewer, cause, "Shingles (herpes zoster)")
    assert translations.status(translated) == translations.OUTDATED


def test_a_waiver_does_not_bring_an_outdated_translation_back(client, editor, reviewer, cause):
    translated = translate(client, editor, cause)
    republish(client, editor, reviewer, cause, "Shingles (herpes zoster)")
    republish(client, editor, reviewer, cause, "Shingles.", "approve-no-translation-impact")
    assert translations.status(translated) == translations.OUTDATED


def test_no_waiver_is_offered_for_a_page_without_translations(client, editor, reviewer, cause):
    login(client, editor)
    edit(client, cause, cause.reviewed_by, title="Shingles.", **{"action-submit": "submit"})
    login(client, reviewer)
    form = client.get(reverse("wagtailadmin_pages:edit", args=[cause.pk])).content.decode()
    assert 'data-workflow-action-name="approve"' in form
    assert "no change for translations" not in form
    assert "This is translated" not in form


# Medical snippets and campaigns -----------------------------------------------------------


def test_a_translated_symptom_is_an_unpublished_draft_with_the_same_slug(client, editor, seeded):
    source = Symptom.objects.get(slug="burning-pain")
    assert source.live
    login(client, editor)
    url = reverse(
        "simple_translation:submit_snippet_translation", args=["pages", "symptom", source.pk]
    )
    assert client.post(url, {"locales": [spanish().pk]}).status_code == 302
    translated = Symptom.objects.get(locale=spanish())
    assert translated.translation_key == source.translation_key
    assert (translated.slug, translated.name) == (source.slug, source.name)
    assert not translated.live and translated.live_revision_id is None
    assert translated.first_published_at is None
    # served nowhere, and the slug still means the English symptom
    listed = client.get("/api/v1/symptoms/").json()["results"]
    assert [item["slug"] for item in listed].count("burning-pain") == 1
    filtered = client.get("/api/v1/conditions/?symptom=burning-pain")
    assert filtered.status_code == 200 and filtered.json()["count"] == 1


def test_names_and_slugs_are_unique_within_a_language(client, reviewer, seeded):
    login(client, reviewer)
    add = reverse("wagtailsnippets_pages_symptom:add")
    response = client.post(add, {"name": "Burning pain", "slug": "burning-pain"})
    assert response.status_code == 200  # the form again, not a server error
    said = response.content.decode()
    assert "A symptom with this name already exists in this language." in said
    assert "A symptom with this slug already exists in this language." in said
    assert Symptom.objects.filter(slug="burning-pain").count() == 1
    spanish_copy = Symptom.objects.get(slug="burning-pain").copy_for_translation(spanish())
    spanish_copy.full_clean()  # the same name and slug in another language
    spanish_copy.save()


def test_a_live_spanish_default_disclaimer_leaves_the_english_default(seeded):
    english = Disclaimer.default(fresh=True)
    copy = english.copy_for_translation(spanish())
    copy.name, copy.is_default = "Aviso médico", True
    copy.save()
    copy.save_revision().publish()
    english.refresh_from_db()
    assert english.is_default and english.live
    assert Disclaimer.default(fresh=True) == english


# Reviewers: one person, credentials per language -----------------------------------------------


def reviewer_form(reviewer, *translations):
    return nested_form_data(
        {
            "kind": reviewer.kind,
            "name": reviewer.name,
            "credentials": reviewer.credentials,
            "job_title": reviewer.job_title,
            "profile_url": "",
            "user": "",
            "translations": inline_formset(
                [
                    {"locale": str(locale.pk), "credentials": credentials, "job_title": title}
                    for locale, credentials, title in translations
                ]
            ),
        }
    )


def test_a_reviewer_is_one_person_with_credentials_per_language(client, reviewer, seeded):
    person = Reviewer.objects.create(
        name="Dr Ana Ruiz", credentials="MD", job_title="Anesthesiologist"
    )
    url = reverse("wagtailsnippets_pages_reviewer:edit", args=[person.pk])
    login(client, reviewer)
    es = spanish()
    twice = reviewer_form(person, (es, "Médica", ""), (es, "Dra.", ""))
    refused = client.post(url, twice)
    assert refused.status_code == 200  # the form again, saying why
    assert "Please correct the duplicate data for reviewer and locale" in refused.content.decode()
    assert not person.translations.exists()

    once = reviewer_form(person, (es, "", "Anestesióloga"))
    assert client.post(url, once).status_code == 302
    person = Reviewer.objects.get(pk=person.pk)
    assert Reviewer.objects.filter(name="Dr Ana Ruiz").count() == 1
    assert person.in_language(es.pk) == ("MD", "Anestesióloga")  # credentials fall back
    assert person.in_language(Locale.get_default().pk) == ("MD", "Anesthesiologist")


def test_a_symptom_translation_is_outdated_by_its_source_until_approved(
    client, editor, reviewer, seeded
):
    source = Symptom.objects.get(slug="burning-pain")
    source.save_revision().publish()  # the seed's rows have no revision yet
    source.refresh_from_db()
    translated = source.copy_for_translation(spanish())
    translated.name = "Dolor urente"
    translated.save()
    translated.save_revision().publish()
    assert translations.status(translated) == translations.CURRENT
    made_from = source.live_revision_id

    source.description = "A burning or scalding pain."
    source.save_revision().publish()
    source.refresh_from_db()
    assert translations.status(translated) == translations.OUTDATED
    assert [o.translation for o in translations.outdated()] == [translated]

    login(client, editor)
    edit_url = reverse("wagtailsnippets_pages_symptom:edit", args=[translated.pk])
    said = client.get(edit_url).content.decode()
    assert "This translation is outdated" in said
    compare = reverse(
        "wagtailsnippets_pages_symptom:revisions_compare",
        args=[source.pk, made_from, source.live_revision_id],
    )
    assert compare in said and client.get(compare).status_code == 200
    assert compare in client.get(reverse("outdated_translations_results")).content.decode()
    source_page = reverse("wagtailsnippets_pages_symptom:edit", args=[source.pk])
    assert "This is translated (Spanish)" in client.get(source_page).content.decode()

    # a Medical reviewer's approval of the translation makes it current again
    translated.name = "Dolor ardiente"
    revision = translated.save_revision(user=editor)
    state = translated.get_workflow().start(translated, editor)
    task_state = state.current_task_state
    assert task_state.revision_id == revision.pk
    task_state.task.specific.on_action(task_state, reviewer, "approve")
    translated.refresh_from_db()
    assert translated.name == "Dolor ardiente"
    assert translations.status(translated) == translations.CURRENT

    # a deleted translation leaves no record behind
    translated.delete()
    assert not translations.origins_of(source).exists()


def test_a_translation_previews_in_every_mode(client, editor, cause):
    """The admin's preview of a Spanish draft: the website, the app's JSON, the email."""
    translated = translate(client, editor, cause)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[translated.pk])
    data = page_form_data(
        CausePage, reviewer=cause.reviewed_by, slug=translated.slug, title="Herpes zóster"
    )
    posted = client.post(url, data)
    assert posted.status_code == 200 and posted.json()["is_valid"], posted.content
    for mode in ("", "app", "email"):
        response = client.get(url, {"mode": mode} if mode else {})
        assert response.status_code == 200, (mode, response.content[:300])
        assert "Herpes zóster" in response.content.decode(), mode
