"""The API in another language (api/http/locales.py, pages.selectors.Visibility): a translation
is served once its medical review is recorded and it is published, while its source is public;
`?locale=` names the language and Accept-Language is answered with a redirect to it; the default
language stands in for a missing translation (marked) or the answer is a 404, and an outdated
translation is served marked or falls back, as each channel's TRANSLATION_FALLBACK says."""

import json

import pytest

from api.models import RepresentationState
from pages import translations
from tests.pages.test_translations import approve, edit, login, republish, translate
from webhooks.models import Endpoint, Event

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

CAUSES = "/api/v1/causes/"
SPANISH_TITLE = "Herpes zóster"
SPANISH_SLUG = "herpes-zoster"


@pytest.fixture
def endpoint(seeded):
    return Endpoint.objects.create(url="http://127.0.0.1:9/hooks")


@pytest.fixture
def cause(seeded):
    from pages.models import CausePage

    return CausePage.objects.get(slug="shingles", locale__language_code="en")


@pytest.fixture
def draft(client, editor, cause):
    """The cause's Spanish translation, a draft (never reviewed)."""
    translated = translate(client, editor, cause)
    login(client, editor)
    fields = {"title": SPANISH_TITLE, "slug": SPANISH_SLUG, "action-submit": "1"}
    assert edit(client, translated, cause.reviewed_by, **fields).status_code == 302
    translated.refresh_from_db()
    client.logout()
    return translated


@pytest.fixture
def reviewed(client, reviewer, draft):
    """The translation, approved by a Medical reviewer (so reviewed and published)."""
    approved = approve(client, reviewer, draft)
    client.logout()
    assert approved.live
    return approved


def titles(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return {item["slug"]: item for item in response.json()["results"]}


def test_a_reviewed_translation_is_served_in_its_language(client, cause, reviewed):
    spanish = titles(client, f"{CAUSES}?locale=es&limit=100")
    item = spanish[SPANISH_SLUG]
    assert (item["title"], item["locale"], item["translation_status"]) == (
        SPANISH_TITLE,
        "es",
        "current",
    )
    assert item["url"].endswith(f"/es/causes/{SPANISH_SLUG}/")
    assert item["api_url"].endswith(f"/api/v1/causes/{SPANISH_SLUG}/?locale=es")
    assert "fallback" not in item and "requested_locale" not in item
    assert "shingles" not in spanish  # the translation stands for it
    # the other causes have no translation: the English ones stand in, marked
    other = spanish["amputation"]
    assert (other["locale"], other["requested_locale"], other["fallback"]) == ("en", "es", True)
    assert other["translation_status"] is None

    english = titles(client, f"{CAUSES}?limit=100")
    assert SPANISH_SLUG not in english and english["shingles"]["locale"] == "en"
    assert "fallback" not in english["shingles"]

    for path in (f"{CAUSES}{SPANISH_SLUG}/?locale=es", f"{CAUSES}shingles/?locale=es"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Language"] == "es"
        assert response.json()["title"] == SPANISH_TITLE
        assert [crumb["path"] for crumb in response.json()["breadcrumbs"]] == [
            "/es/",
            "/es/causes/",
        ]
    assert client.get(f"{CAUSES}{SPANISH_SLUG}/").status_code == 404  # not in English
    found = client.get("/api/v1/pages/", {"path": f"/es/causes/{SPANISH_SLUG}/"})
    assert found.status_code == 200 and found.json()["title"] == SPANISH_TITLE
    assert found["Content-Language"] == "es"
    app = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es&channel=app").json()
    assert app["translation_status"] == "current" and app["locale"] == "es"


def test_a_draft_translation_answers_as_a_missing_one(client, cause, draft):
    """Never reviewed: never served. Its slug answers as an unknown one; its source's slug
    gives the English item, marked, as a cause that was never translated does."""
    hidden = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es")
    unknown = client.get(f"{CAUSES}never-was-a-cause/?locale=es")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace(SPANISH_SLUG, "x") == unknown.json()["detail"].replace(
        "never-was-a-cause", "x"
    )
    assert SPANISH_TITLE not in client.get(f"{CAUSES}?locale=es&limit=100").content.decode()
    stand_in = client.get(f"{CAUSES}shingles/?locale=es")
    assert stand_in["Content-Language"] == "en"
    body = stand_in.json()
    assert (body["locale"], body["requested_locale"], body["fallback"]) == ("en", "es", True)
    never = client.get(f"{CAUSES}amputation/?locale=es").json()
    assert (never["requested_locale"], never["fallback"]) == ("es", True)
    path = client.get("/api/v1/pages/", {"path": f"/es/causes/{SPANISH_SLUG}/"})
    assert path.status_code == 404


def test_an_edit_to_the_source_outdates_the_spanish_on_every_door(
    client, editor, reviewer, cause, reviewed, settings
):
    republish(client, editor, reviewer, cause, "Shingles (herpes zoster)")
    client.logout()
    doors = [
        f"{CAUSES}{SPANISH_SLUG}/?locale=es",
        f"{CAUSES}{SPANISH_SLUG}/?locale=es&channel=app",
        f"/api/v1/pages/?path=/es/causes/{SPANISH_SLUG}/",
        f"/api/v1/pages/?path=/es/causes/{SPANISH_SLUG}/&channel=app",
    ]
    for path in doors:  # served, marked (the default setting)
        body = client.get(path).json()
        assert (body["title"], body["translation_status"]) == (SPANISH_TITLE, "outdated"), path
    listed = titles(client, f"{CAUSES}?locale=es&limit=100")[SPANISH_SLUG]
    assert listed["translation_status"] == "outdated"
    state = RepresentationState.objects.get(page_id=reviewed.pk)
    assert state.public and state.language == "es"

    # a channel that falls back rather than serve an outdated translation
    settings.TRANSLATION_FALLBACK = {
        "web": {"missing": "default", "outdated": "default"},
        "app": {"missing": "404", "outdated": "default"},
    }
    web = client.get(f"{CAUSES}shingles/?locale=es").json()
    assert (web["title"], web["locale"], web["fallback"]) == (
        "Shingles (herpes zoster)",
        "en",
        True,
    )
    assert client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").status_code == 404
    assert SPANISH_SLUG not in titles(client, f"{CAUSES}?locale=es&limit=100")
    app = client.get(f"{CAUSES}shingles/?locale=es&channel=app")
    assert app.status_code == 404  # nothing to serve in Spanish, and no stand-in
    assert client.get(f"{CAUSES}?locale=es&channel=app").json()["count"] == 0
    path = client.get("/api/v1/pages/", {"path": "/es/causes/shingles/"}).json()
    assert path["fallback"] is True and path["locale"] == "en"


def test_the_setting_decides_between_a_stand_in_and_a_404(client, cause, reviewed, settings):
    settings.TRANSLATION_FALLBACK = {
        "web": {"missing": "404", "outdated": "serve"},
        "app": {"missing": "default", "outdated": "serve"},
    }
    assert client.get(f"{CAUSES}amputation/?locale=es").status_code == 404
    assert set(titles(client, f"{CAUSES}?locale=es&limit=100")) == {SPANISH_SLUG}
    assert client.get("/api/v1/pages/", {"path": "/es/causes/amputation/"}).status_code == 404
    app = client.get(f"{CAUSES}amputation/?locale=es&channel=app").json()
    assert app["fallback"] is True


def test_accept_language_is_answered_with_the_locale_url(client, settings, seeded):
    response = client.get(f"{CAUSES}?limit=2", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == f"{settings.API_BASE_URL}{CAUSES}?limit=2&locale=es"
    assert "Accept-Language" in response["Vary"]
    for header in ("en-GB,en;q=0.9", "*", "fr-FR", "", "garbage;;q=x,,;", "es;q=abc", "x" * 600):
        answer = client.get(CAUSES, HTTP_ACCEPT_LANGUAGE=header)
        assert answer.status_code == 200, header
        assert answer["Content-Language"] == "en" and "Accept-Language" in answer["Vary"]
    # a URL naming its language answers the same to everyone: no Vary on the header
    named = client.get(f"{CAUSES}?locale=es", HTTP_ACCEPT_LANGUAGE="en")
    assert named.status_code == 200 and named["Content-Language"] == "es"
    assert "Accept-Language" not in named.get("Vary", "")
    detail = client.get(f"{CAUSES}shingles/", HTTP_ACCEPT_LANGUAGE="es")
    assert detail["Location"].endswith(f"{CAUSES}shingles/?locale=es")


def test_an_unknown_language_is_refused_naming_the_known_ones(client, seeded):
    for value in ("fr", "ES", "es-MX", "en,es", " es"):
        response = client.get(CAUSES, {"locale": value})
        assert response.status_code == 400, value
        assert response.json()["errors"]["locale"] == ["Unknown language; use one of: en, es."]


def test_withdrawing_the_source_withdraws_its_translation_at_once(
    client, cause, reviewed, settings, django_capture_on_commit_callbacks
):
    settings.API_RESPONSE_CACHE_SECONDS = 300
    spanish = f"{CAUSES}{SPANISH_SLUG}/?locale=es"
    assert client.get(spanish).status_code == 200  # cached now
    lookup = {"path": f"/es/causes/{SPANISH_SLUG}/"}
    assert client.get("/api/v1/pages/", lookup).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the purges run on commit
        cause.unpublish()
    assert client.get(spanish).status_code == 404
    assert client.get("/api/v1/pages/", lookup).status_code == 404
    assert client.get(f"{CAUSES}shingles/?locale=es").status_code == 404
    state = RepresentationState.objects.get(page_id=reviewed.pk)
    assert not state.public  # a tombstone for the app's sync


def test_surrogate_keys_name_the_language(client, cause, reviewed):
    spanish = client.get(f"{CAUSES}?locale=es")["Surrogate-Key"].split()
    assert {"collection-causes@es", "collection-causes", f"page-{reviewed.pk}"} <= set(spanish)
    english = client.get(CAUSES)["Surrogate-Key"].split()
    assert "collection-causes@es" not in english and f"page-{reviewed.pk}" not in english


def sync_all(client, **params):
    """One whole pass: ({slug: item}, [tombstone slugs], the cursor to keep)."""
    items, deleted = {}, []
    while True:
        response = client.get("/api/v1/sync/", params)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        items.update({item["slug"]: item for item in body["items"]})
        deleted += [tombstone["slug"] for tombstone in body["deleted"]]
        params = {"cursor": body["next_cursor"]}
        if not body["has_more"]:
            return items, deleted, body["next_cursor"]


def test_sync_per_language_with_tombstones_when_a_translation_is_withdrawn(
    client, cause, reviewed, django_capture_on_commit_callbacks
):
    spanish, deleted, cursor = sync_all(client, locale="es", types="causes", limit=3)
    assert spanish[SPANISH_SLUG]["locale"] == "es" and "shingles" not in spanish
    assert spanish["amputation"]["fallback"] is True and deleted == []
    english, _, english_cursor = sync_all(client, types="causes")
    assert SPANISH_SLUG not in english and "fallback" not in english["shingles"]

    with django_capture_on_commit_callbacks(execute=True):
        reviewed.unpublish()
    spanish, deleted, _ = sync_all(client, cursor=cursor)
    assert deleted == [SPANISH_SLUG]  # withdrawn: the app drops it...
    assert spanish["shingles"]["fallback"] is True  # ...and shows the English one again
    english, deleted, _ = sync_all(client, cursor=english_cursor)
    assert deleted == [] and SPANISH_SLUG not in english

    refused = client.get("/api/v1/sync/", {"cursor": cursor, "locale": "en"})
    assert refused.status_code == 400
    assert refused.json()["errors"]["locale"] == [
        "This cursor syncs another language; leave it out."
    ]
    negotiated = client.get("/api/v1/sync/", HTTP_ACCEPT_LANGUAGE="es")
    assert negotiated.status_code == 302 and negotiated["Location"].endswith("?locale=es")
    kept = client.get("/api/v1/sync/", {"cursor": cursor}, HTTP_ACCEPT_LANGUAGE="en")
    assert kept.status_code == 200 and kept["Content-Language"] == "es"  # the cursor's


def test_webhook_events_name_the_language(endpoint, client, cause, reviewed):

    events = [json.loads(event.body) for event in Event.objects.order_by("pk")]
    spanish = [event for event in events if event["data"]["id"] == reviewed.pk]
    assert spanish, "publishing the reviewed translation announced it"
    data = spanish[-1]["data"]
    assert (data["locale"], data["slug"]) == ("es", SPANISH_SLUG)
    assert data["api_url"].endswith(f"/causes/{SPANISH_SLUG}/?locale=es")
    assert "collection-causes@es" in data["keys"]


@pytest.fixture
def described(client, editor, reviewer, cause):
    """The cause's Spanish translation with a Spanish summary, reviewed and published."""
    translated = translate(client, editor, cause)
    login(client, editor)
    summary = "Dolores neuropáticos tras la reactivación del virus de la varicela."
    fields = {"title": SPANISH_TITLE, "slug": SPANISH_SLUG, "summary": summary}
    assert (
        edit(client, translated, cause.reviewed_by, **fields, **{"action-submit": "1"}).status_code
        == 302
    )
    approved = approve(client, reviewer, translated)
    client.logout()
    return approved


def test_search_in_spanish_stems_spanish_words(client, described):
    # "reactivar" finds "reactivación" (both "reactiv" to the Snowball Spanish stemmer, not to
    # the English one), by the translation's own stems
    for path in ("/api/v1/search/", CAUSES):
        param = "q" if path.endswith("search/") else "search"
        spanish = client.get(path, {param: "reactivar", "locale": "es"})
        assert spanish.status_code == 200
        slugs = [item["slug"] for item in spanish.json()["results"]]
        assert slugs[0] == SPANISH_SLUG, (path, slugs)
        english = client.get(path, {param: "reactivar"}).json()["results"]
        assert SPANISH_SLUG not in [item["slug"] for item in english]
    # the English items standing in are found by their own words
    stand_in = client.get("/api/v1/search/", {"q": "amputation", "locale": "es"}).json()
    assert stand_in["results"][0]["slug"] == "amputation"
    assert stand_in["results"][0]["fallback"] is True


def test_seo_alternates_and_json_ld_name_the_languages(client, cause, reviewed):
    english = client.get(f"{CAUSES}shingles/").json()
    spanish = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    expected = [
        {"locale": "en", "path": "/causes/shingles/", "url": english["url"]},
        {"locale": "es", "path": f"/es/causes/{SPANISH_SLUG}/", "url": spanish["url"]},
    ]
    assert english["seo"]["alternates"] == spanish["seo"]["alternates"] == expected
    assert spanish["url"].endswith(f"/es/causes/{SPANISH_SLUG}/")
    assert (english["schema_org"]["inLanguage"], spanish["schema_org"]["inLanguage"]) == (
        "en",
        "es",
    )
    reviewed.unpublish()  # withdrawn: the English page no longer names it
    alternates = client.get(f"{CAUSES}shingles/").json()["seo"]["alternates"]
    assert alternates == [expected[0]]


def test_a_draft_translation_is_no_alternate(client, cause, draft):
    alternates = client.get(f"{CAUSES}shingles/").json()["seo"]["alternates"]
    assert [alternate["locale"] for alternate in alternates] == ["en"]


def reviewed_translation(page, title, slug):
    """`page`'s Spanish translation, reviewed and published as the approval does it (the admin
    path is tried above: `reviewed`)."""
    from wagtail.models import Locale

    translated = translations.copy_page(page, Locale.objects.get(language_code="es"))
    translated.title, translated.slug = title, slug
    translated.save_revision()
    type(translated).objects.filter(pk=translated.pk).update(reviewed_by=page.reviewed_by)
    translations.record_review(translated)
    translated.refresh_from_db()
    translated.get_latest_revision().publish()
    translated.refresh_from_db()
    return translated


def test_relations_show_the_related_page_in_the_item_s_language(client, cause, reviewed):
    from pages.models import ConditionPage

    condition = ConditionPage.objects.get(slug="neuropathic-pain", locale=cause.locale)
    spanish = reviewed_translation(condition, "Dolor neuropático", "dolor-neuropatico")
    detail = f"/api/v1/conditions/{spanish.slug}/?locale=es"
    causes = {ref["slug"]: ref for ref in client.get(detail).json()["causes"]}
    assert causes[SPANISH_SLUG]["title"] == SPANISH_TITLE  # the Spanish shingles
    assert causes[SPANISH_SLUG]["url"].endswith(f"/es/causes/{SPANISH_SLUG}/")
    assert "shingles" not in causes and "amputation" in causes  # untranslated: English
    expanded = client.get(f"{detail}&expand=causes").json()["causes"]
    assert {item["slug"]: item["locale"] for item in expanded}[SPANISH_SLUG] == "es"

    reviewed.unpublish()  # withdrawn: the condition shows the English shingles again
    causes = {ref["slug"] for ref in client.get(detail).json()["causes"]}
    assert "shingles" in causes and SPANISH_SLUG not in causes
    reviewed.get_latest_revision().publish()  # back: the items linking it follow
    causes = {ref["slug"] for ref in client.get(detail).json()["causes"]}
    assert SPANISH_SLUG in causes and "shingles" not in causes


def test_the_spanish_website_has_its_sitemap_and_menu(client, cause, reviewed):
    entries = client.get("/api/v1/sitemap/?locale=es").json()["results"]
    by_path = {entry["path"]: entry for entry in entries}
    spanish = by_path[f"/es/causes/{SPANISH_SLUG}/"]
    assert spanish["locale"] == "es"
    assert [(a["locale"], a["path"]) for a in spanish["alternates"]] == [
        ("en", "/causes/shingles/"),
        ("es", f"/es/causes/{SPANISH_SLUG}/"),
    ]
    assert all(path.startswith("/es/") for path in by_path)  # its own pages only
    english = {e["path"]: e for e in client.get("/api/v1/sitemap/").json()["results"]}
    assert [a["locale"] for a in english["/causes/shingles/"]["alternates"]] == ["en", "es"]
    assert [a["locale"] for a in english["/causes/amputation/"]["alternates"]] == ["en"]
    menu = client.get("/api/v1/navigation/?locale=es").json()
    assert menu["home"]["path"] == "/es/"
    assert all(item["path"].startswith("/es/") for item in menu["items"])


def test_a_draft_translation_is_in_no_sitemap(client, cause, draft):
    entries = client.get("/api/v1/sitemap/?locale=es").json()["results"]
    assert f"/es/causes/{SPANISH_SLUG}/" not in {entry["path"] for entry in entries}
    english = {e["path"]: e for e in client.get("/api/v1/sitemap/").json()["results"]}
    assert [a["locale"] for a in english["/causes/shingles/"]["alternates"]] == ["en"]


def test_a_spanish_draft_previews_as_its_language_will_serve_it(client, cause, draft):
    from api.channels import preview_tokens

    token = preview_tokens.mint(draft.pk)[0]
    body = client.get("/api/v1/preview/", {"token": token}).json()
    assert (body["title"], body["locale"], body["translation_status"]) == (
        SPANISH_TITLE,
        "es",
        "current",
    )
    assert body["url"].endswith(f"/es/causes/{SPANISH_SLUG}/")
    assert [crumb["path"] for crumb in body["breadcrumbs"]] == ["/es/", "/es/causes/"]


def test_a_collection_feed_in_spanish(client, cause, reviewed, settings):
    feed = client.get("/api/v1/feeds/causes.rss", {"locale": "es"})
    assert feed.status_code == 200 and feed["Content-Language"] == "es"
    text = feed.content.decode()
    assert "<language>es</language>" in text and SPANISH_TITLE in text
    assert f"<link>{settings.WEBSITE_BASE_URL}/es/causes/?utm_source=feed" in text
    assert f"{settings.WEBSITE_BASE_URL}/es/causes/{SPANISH_SLUG}/?utm_source=feed" in text
    assert f'href="{settings.API_BASE_URL}/api/v1/feeds/causes.rss?locale=es" rel="self"' in text
    atom = client.get("/api/v1/feeds/causes.atom", {"locale": "es"}).content.decode()
    assert 'xml:lang="es"' in atom and SPANISH_TITLE in atom
    english = client.get("/api/v1/feeds/causes.atom").content.decode()
    assert 'xml:lang="en"' in english and SPANISH_TITLE not in english
    refused = client.get("/api/v1/feeds/causes.rss", {"locale": "xx", "utm_source": ""})
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"locale", "utm_source"}


def test_a_spanish_item_shows_the_medical_snippets_in_spanish(client, cause, reviewed):
    from wagtail.models import Locale

    from pages.models import Disclaimer, ReviewerTranslation

    spanish = Locale.objects.get(language_code="es")
    english = Disclaimer.default(fresh=True)
    copy = english.copy_for_translation(spanish)
    copy.name, copy.text = "Aviso médico", "<p>Esta información no sustituye a su médico.</p>"
    copy.save()
    copy.save_revision().publish()
    item = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    assert "no sustituye" not in item["disclaimer"]["text"]  # never reviewed: not shown
    translations.record_review(copy)  # as the approval records it
    copy.save_revision().publish()
    ReviewerTranslation.objects.create(
        reviewer=reviewed.reviewed_by, locale=spanish, job_title="Equipo médico"
    )
    item = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    assert "no sustituye a su médico" in item["disclaimer"]["text"]
    assert item["medical_review"]["reviewed_by"]["job_title"] == "Equipo médico"
    source = client.get(f"{CAUSES}shingles/").json()
    assert "no sustituye" not in source["disclaimer"]["text"]
    assert source["medical_review"]["reviewed_by"]["job_title"] != "Equipo médico"

    copy.delete()  # gone: the Spanish item shows the English one again
    item = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    assert item["disclaimer"]["text"] == source["disclaimer"]["text"]


def test_a_never_published_translation_previews_as_documented(cause, draft, client):
    """Found by schemathesis: a draft never published has no publication dates (null, as the
    OpenAPI document says)."""
    from drf_spectacular.generators import SchemaGenerator

    from api.channels import preview_tokens
    from tests.api.test_openapi import response_validator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    token = preview_tokens.mint(draft.pk)[0]
    for channel in ("web", "app"):
        response = client.get("/api/v1/preview/", {"token": token, "channel": channel})
        body = response.json()
        assert body["first_published_at"] is None and body["last_published_at"] is None
        validator = response_validator(schema, "/api/v1/preview/", 200, channel)
        assert validator.is_valid(body), channel


# Email and campaigns ------------------------------------------------------------------------

ENGLISH_LABELS = ("Unsubscribe", "Conditions", "Read our page on", "Safety information")


def test_an_items_email_speaks_its_language(client, cause, reviewed):
    response = client.get(f"{CAUSES}{SPANISH_SLUG}/email/?locale=es")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Language"] == "es"
    body = response.json()
    assert body["locale"] == "es" and "fallback" not in body
    html, text = body["html"], body["text"]
    assert '<html lang="es"' in html and SPANISH_TITLE in body["subject"]
    assert "Cancelar la suscripción" in html and "Cancelar la suscripción:" in text
    assert "Recibe este correo porque pidió noticias de nuestra clínica." in html
    assert "Unsubscribe" not in html and "asked for news" not in html
    # the English email is as it was
    english = client.get(f"{CAUSES}shingles/email/").json()
    assert english["locale"] == "en" and '<html lang="en"' in english["html"]
    assert "Unsubscribe" in english["html"] and "Cancelar" not in english["html"]


SPANISH_LABELS = {  # as the markup says them (the content may use the same words)
    "Safety information</h2>": "Información de seguridad</h2>",
    "Who should not have it</h3>": "Quién no debe recibirlo</h3>",
    "Side effects</h3>": "Efectos secundarios</h3>",
    "References</h2>": "Referencias</h2>",
    "The medicine</h2>": "El medicamento</h2>",
    "Medicine:</strong>": "Medicamento:</strong>",
    "How it works</h2>": "Cómo funciona</h2>",
    "Unsubscribe</a>": "Cancelar la suscripción</a>",
}


def test_every_label_of_an_email_is_in_the_items_language(api):
    """The seeded therapy (safety, references, the medicine, sections) as if it were Spanish:
    each label the templates add comes from the Spanish catalogue, none stays English."""
    from api.channels import email

    data = api("/api/v1/therapies/ketamine-infusion-therapy/").json()
    english = email.item_email(data, {}, "mailchimp")["html"]
    spanish = email.item_email({**data, "locale": "es"}, {}, "mailchimp")["html"]
    for label, translated in SPANISH_LABELS.items():
        assert label in english and translated not in english, label
        assert translated in spanish and label not in spanish, label


def test_an_email_without_a_public_translation_is_not_found_unless_configured(
    client, cause, draft, settings
):
    """The email channel leaves a missing translation out (a 404, as for an unknown slug);
    configured to stand in, the English email comes marked, in English throughout."""
    hidden = client.get(f"{CAUSES}{SPANISH_SLUG}/email/?locale=es")
    unknown = client.get(f"{CAUSES}never-was-a-cause/email/?locale=es")
    assert hidden.status_code == unknown.status_code == 404
    assert client.get(f"{CAUSES}shingles/email/?locale=es").status_code == 404
    settings.TRANSLATION_FALLBACK = {
        **settings.TRANSLATION_FALLBACK,
        "email": {"missing": "default", "outdated": "serve"},
    }
    stand_in = client.get(f"{CAUSES}shingles/email/?locale=es")
    assert stand_in.status_code == 200 and stand_in["Content-Language"] == "en"
    body = stand_in.json()
    assert (body["locale"], body["requested_locale"], body["fallback"]) == ("en", "es", True)
    assert '<html lang="en"' in body["html"] and "Unsubscribe" in body["html"]
    redirected = client.get(f"{CAUSES}shingles/email/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert redirected.status_code == 302
    assert redirected["Location"].endswith(f"{CAUSES}shingles/email/?locale=es")


def test_the_brand_is_worded_per_language(
    client, cause, reviewed, django_capture_on_commit_callbacks
):
    from wagtail.models import Site

    from pages.models import EmailBrand, EmailWording

    brand = EmailBrand.for_site(Site.objects.get(is_default_site=True))
    with django_capture_on_commit_callbacks(execute=True):
        EmailWording.objects.create(
            brand=brand, language="es", unsubscribe_label="Darse de baja", footer_text=""
        )
    body = client.get(f"{CAUSES}{SPANISH_SLUG}/email/?locale=es").json()
    assert "Darse de baja" in body["html"] and "Darse de baja:" in body["text"]
    assert "Recibe este correo" in body["html"]  # blank: the built-in wording
    assert "Darse de baja" not in client.get(f"{CAUSES}shingles/email/").json()["html"]


def spanish_campaign(review=True):
    """The test campaign (therapy, condition, shingles) and its Spanish translation, published,
    its medical review recorded where `review`."""
    from pages.models import Campaign
    from tests.api.test_campaigns import make_campaign
    from tests.pages.test_translations import spanish

    english = make_campaign()
    copy = english.copy_for_translation(spanish())
    copy.subject, copy.preheader = "Nuevas formas de tratar el dolor", "Lo nuevo esta primavera"
    copy.call_to_action_label = "Pida una consulta"
    copy.save()
    if review:
        translations.record_review(copy)
    copy.save_revision().publish()
    return english, Campaign.objects.get(pk=copy.pk)


def test_a_campaign_in_spanish(client, cause, reviewed, settings):
    english, copy = spanish_campaign()
    assert copy.items.count() == 3  # the translation links the same pages
    listed = client.get("/api/v1/campaigns/?locale=es")
    assert listed["Content-Language"] == "es"
    (summary,) = listed.json()["results"]
    assert summary["id"] == copy.pk and summary["api_url"].endswith("/campaigns/spring/?locale=es")
    assert summary["feed_url"].endswith("/feeds/campaigns/spring.rss?locale=es")
    assert [c["id"] for c in client.get("/api/v1/campaigns/").json()["results"]] == [english.pk]

    response = client.get("/api/v1/campaigns/spring/?locale=es")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Language"] == "es"
    assert "collection-campaigns@es" in response["Surrogate-Key"]
    body = response.json()
    assert (body["id"], body["locale"], body["subject"]) == (copy.pk, "es", copy.subject)
    # the shingles link shows its Spanish translation; the therapy (a draft in Spanish) and
    # the condition (never translated) have none: the email channel leaves them out
    assert [(item["slug"], item["locale"]) for item in body["items"]] == [(SPANISH_SLUG, "es")]
    html = body["html"]
    assert '<html lang="es"' in html and f"Lea nuestra página sobre {SPANISH_TITLE}" in html
    assert "Pida una consulta" in html and "Cancelar la suscripción" in html
    assert body["text"].splitlines()[1].startswith("https://www.example-clinic.test/es/?")
    assert not [label for label in ENGLISH_LABELS if label in html]
    feed = client.get("/api/v1/feeds/campaigns/spring.rss?locale=es").content.decode()
    assert SPANISH_TITLE in feed and "Neuropathic pain" not in feed
    assert "<link>https://www.example-clinic.test/es/?utm_source=feed" in feed
    assert client.get("/api/v1/campaigns/spring/").json()["id"] == english.pk

    settings.TRANSLATION_FALLBACK = {
        **settings.TRANSLATION_FALLBACK,
        "email": {"missing": "default", "outdated": "serve"},
    }
    items = client.get("/api/v1/campaigns/spring/?locale=es").json()["items"]
    assert [(item["locale"], item.get("fallback")) for item in items] == [
        ("en", True),
        ("en", True),
        ("es", None),
    ]


def test_an_unreviewed_campaign_translation_is_served_nowhere(client, cause, reviewed):
    spanish_campaign(review=False)
    hidden = client.get("/api/v1/campaigns/spring/?locale=es")
    unknown = client.get("/api/v1/campaigns/never-was/?locale=es")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace("spring", "x") == unknown.json()["detail"].replace(
        "never-was", "x"
    )
    assert client.get("/api/v1/campaigns/?locale=es").json()["count"] == 0
    feed = client.get("/api/v1/feeds/campaigns/spring.rss?locale=es")
    assert feed.status_code == 404


def test_a_translated_items_stored_copies_are_served(client, cause, reviewed, monkeypatch):
    """Its copies show each other (seo.alternates): each is public by its own language's
    rule, so both are served from storage, not represented again on every request (as they
    were, found by the two-language benchmark)."""
    from api.serving.read_path import ItemReader

    def represented(self, rows, shape):
        raise AssertionError(f"represented live: {[row['pk'] for row in rows]}")

    monkeypatch.setattr(ItemReader, "represent_now", represented)
    for path in (f"{CAUSES}shingles/", f"{CAUSES}{SPANISH_SLUG}/?locale=es"):
        response = client.get(path)
        assert response.status_code == 200
        assert len(response.json()["seo"]["alternates"]) == 2
    listed = titles(client, f"{CAUSES}?locale=es&limit=100")
    assert SPANISH_SLUG in listed and "amputation" in listed


def test_a_withdrawn_version_is_not_shown_by_the_others_stored_copies(client, cause, reviewed):
    """Withdrawn, the Spanish version leaves the English copy's alternates at once, before
    any refresh: the read path checks what a copy shows."""
    from pages.models import CausePage

    CausePage.objects.filter(pk=reviewed.pk).update(live=False)  # no signal: no refresh
    alternates = client.get(f"{CAUSES}shingles/").json()["seo"]["alternates"]
    assert [alternate["locale"] for alternate in alternates] == ["en"]


def test_the_symptom_index_in_spanish(client, seeded, django_capture_on_commit_callbacks):
    """Each symptom as its reviewed Spanish translation where it has one, sorted by the name
    shown, with the items showing it in Spanish (English ones standing in); an unreviewed
    translation shows nowhere."""
    from pages.models import Symptom
    from tests.pages.test_translations import spanish

    source = Symptom.objects.get(slug="burning-pain")
    copy = source.copy_for_translation(spanish())
    copy.name = "Ardor (dolor urente)"
    copy.save()
    copy.save_revision().publish()
    english = client.get("/api/v1/symptoms/?limit=100").json()["results"]
    unreviewed = client.get("/api/v1/symptoms/?locale=es&limit=100")
    assert unreviewed["Content-Language"] == "es"
    assert "Ardor" not in unreviewed.content.decode()
    assert [s["name"] for s in unreviewed.json()["results"]] == [s["name"] for s in english]

    translations.record_review(copy)
    with django_capture_on_commit_callbacks(execute=True):  # the index's answers purged
        copy.save_revision().publish()
    results = client.get("/api/v1/symptoms/?locale=es&limit=100").json()["results"]
    names = [s["name"] for s in results]
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    (shown,) = [s for s in results if s["slug"] == "burning-pain"]
    assert (shown["id"], shown["name"]) == (copy.pk, copy.name)
    english_entry = next(s for s in english if s["slug"] == "burning-pain")
    assert [r["id"] for r in shown["shown_by"]] == [r["id"] for r in english_entry["shown_by"]]
    assert shown["shown_by"] and all("/es/" not in r["url"] for r in shown["shown_by"])
    assert "Ardor" not in client.get("/api/v1/symptoms/?limit=100").content.decode()


def test_a_translation_lists_what_links_its_source_from_the_other_end(client, cause, reviewed):
    """The therapies relieving shingles link the English cause: its Spanish translation lists
    them too (as their Spanish versions where public; the seed's Spanish therapy is a draft, so
    the English one stands in), each once."""
    english = client.get(f"{CAUSES}shingles/").json()["therapies"]
    spanish = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()["therapies"]
    assert english, "the seed's ketamine therapy relieves shingles"
    assert [t["id"] for t in spanish] == [t["id"] for t in english]
    listed = titles(client, f"{CAUSES}?locale=es&limit=100&expand=therapies")
    assert [t["id"] for t in listed[SPANISH_SLUG]["therapies"]] == [t["id"] for t in english]


def test_a_translations_rich_text_links_its_languages_versions(client, cause, reviewed):
    """Translate copies the body as it is: its links name the source's pages. In Spanish, a
    link to a page with a public Spanish version leads to that version (before, the link was
    unwrapped: the English page is not public in Spanish once translated); a link to an
    untranslated page leads to the English one standing in."""
    from wagtail.rich_text import RichText

    from pages.models import CausePage

    amputation = CausePage.objects.get(slug="amputation", locale__language_code="en")
    links = (
        f'<p>See <a linktype="page" id="{cause.pk}">shingles</a> and '
        f'<a linktype="page" id="{amputation.pk}">amputation</a>.</p>'
    )
    reviewed.body = [("paragraph", RichText(links))]
    translations.record_review(reviewed)
    reviewed.save_revision().publish()
    item = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    (paragraph,) = [block for block in item["body"] if block["type"] == "paragraph"]
    html = paragraph["value"]
    assert f'href="https://www.example-clinic.test/es/causes/{SPANISH_SLUG}/"' in html
    assert 'href="https://www.example-clinic.test/causes/amputation/"' in html
    app = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es&channel=app").json()
    text = json.dumps(app["body"])
    assert f'"id": {reviewed.pk}' in text and f'"slug": "{SPANISH_SLUG}"' in text


def test_references_inside_blocks_and_statistics_show_in_the_items_language(
    client, cause, reviewed, django_capture_on_commit_callbacks
):
    """A body's evidence and a cause's statistic name a reference: in a Spanish item, its
    reviewed Spanish translation where public (its title), as the item's own references."""
    from wagtail.rich_text import RichText

    from pages.models import CauseStatistic, Reference
    from tests.pages.test_translations import spanish

    reference = Reference.objects.filter(locale__language_code="en").first()
    copy = reference.copy_for_translation(spanish())
    copy.title = "Ensayo aleatorizado en español"
    copy.save()
    translations.record_review(copy)
    copy.save_revision().publish()
    claim = {"claim": RichText("<p>Ayuda.</p>"), "references": [reference]}
    reviewed.body = [("evidence_claim", claim)]
    reviewed.statistics = [
        CauseStatistic(value="10%", population="adultos", outcome="dolor", reference=reference)
    ]
    translations.record_review(reviewed)
    with django_capture_on_commit_callbacks(execute=True):
        reviewed.save_revision().publish()
    item = client.get(f"{CAUSES}{SPANISH_SLUG}/?locale=es").json()
    (block,) = [b for b in item["body"] if b["type"] == "evidence_claim"]
    assert [r["title"] for r in block["value"]["references"]] == [copy.title]
    assert item["statistics"][0]["reference"]["title"] == copy.title
    english = client.get(f"{CAUSES}shingles/").json()
    assert copy.title not in json.dumps(english)


def test_a_translations_chosen_pages_show_in_its_language(client, cause, reviewed):
    """A treatment step chooses causes; Translate copies the choice of the English cause. In
    the Spanish condition, the step shows the cause's public Spanish version (it was left out:
    the English cause is not public in Spanish once translated)."""
    from pages.models import ConditionPage
    from tests.pages.test_translations import spanish

    condition = ConditionPage.objects.get(slug="neuropathic-pain", locale__language_code="en")
    step = {
        "aim": "underlying-cause",
        "heading": "Tratar la causa",
        "description": "",
        "causes": [cause],
        "symptoms": [],
    }
    copy = translations.copy_page(condition, spanish())
    copy.title = "Dolor neuropático"
    copy.treatment_approach = [("step", step)]
    copy.save_revision()
    translations.record_review(copy)
    copy.get_latest_revision().publish()
    item = client.get(f"/api/v1/conditions/{copy.slug}/?locale=es").json()
    assert item["locale"] == "es", item.get("fallback")
    (shown,) = item["treatment_approach"]
    assert [c["id"] for c in shown["value"]["causes"]] == [reviewed.pk]
    assert shown["value"]["causes"][0]["url"].endswith(f"/es/causes/{SPANISH_SLUG}/")
