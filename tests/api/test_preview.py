"""Headless preview (api/channels/preview_tokens.py, api/views/preview.py): a signed, expiring,
page-scoped token shows the page's latest revision, draft included, in its channel's detail
shape."""

from io import StringIO
from urllib.parse import unquote

from django.core.management import CommandError, call_command

import pytest

from api.channels import preview_tokens
from pages.models import CausePage, ConditionCauseLink, ConditionPage, TherapyPage

PREVIEW = "/api/v1/preview/"

SEED_ONCE = True  # every database test reads the seed (tests/conftest.py)


def token_for(page, ttl=None):
    return preview_tokens.mint(page.pk, ttl)[0]


@pytest.fixture
def condition(api):
    return ConditionPage.objects.get(slug="neuropathic-pain")


def test_a_token_shows_the_draft_in_the_detail_shape_never_cached(api, condition):
    condition.title = "Neuropathic pain (draft)"
    condition.save_revision()  # a draft: the public detail keeps the live title
    response = api(PREVIEW + "?token=" + token_for(condition))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    draft = response.json()
    assert draft["title"] == "Neuropathic pain (draft)"
    assert api("/api/v1/conditions/neuropathic-pain/").json()["title"] == "Neuropathic pain"
    app = api(PREVIEW + "?channel=app&token=" + token_for(condition)).json()
    condition.get_latest_revision().publish()  # what the preview showed, published
    for preview_body, path in [(draft, ""), (app, "?channel=app")]:
        live = api(f"/api/v1/conditions/neuropathic-pain/{path}").json()
        assert without_publication(preview_body) == without_publication(live), path


def without_publication(item):
    """An item but the facts only publication sets (its revision, its publication date)."""
    item = {k: v for k, v in item.items() if k not in ("revision_id", "last_published_at")}
    if "schema_org" in item:
        item["schema_org"] = {k: v for k, v in item["schema_org"].items() if k != "dateModified"}
    return item


def test_a_draft_that_changes_a_relation_shows_its_own_relations(api, condition):
    shingles = CausePage.objects.get(slug="shingles")
    live_causes = [c["slug"] for c in api("/api/v1/conditions/neuropathic-pain/").json()["causes"]]
    assert "shingles" in live_causes
    draft = condition.get_latest_revision_as_object()
    draft.cause_links = [link for link in draft.cause_links.all() if link.cause_id != shingles.pk]
    draft.save_revision()
    shown = api(PREVIEW + "?token=" + token_for(condition)).json()
    assert [c["slug"] for c in shown["causes"]] == [s for s in live_causes if s != "shingles"]
    assert ConditionCauseLink.objects.filter(page=condition, cause=shingles).exists()  # live


def test_a_draft_never_shows_a_page_that_is_not_public(api, condition):
    CausePage.objects.get(slug="shingles").unpublish()
    shown = api(PREVIEW + "?token=" + token_for(condition)).json()
    assert "shingles" not in str(shown).lower()


def test_the_email_shape_of_a_draft(api):
    therapy = TherapyPage.objects.get(slug="ketamine-infusion-therapy")
    therapy.summary = "A draft summary for the email."
    therapy.save_revision()
    response = api("/api/v1/preview/email/?token=" + token_for(therapy))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["preheader"] == "A draft summary for the email."
    assert "Safety information" in body["html"]
    # as the OpenAPI document says (found by schemathesis: `locale` was missing here)
    from drf_spectacular.generators import SchemaGenerator

    from tests.api.test_openapi import response_validator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validator = response_validator(schema, "/api/v1/preview/email/", 200)
    assert validator.is_valid(body), list(validator.iter_errors(body))[:1]
    assert body["locale"] == "en"


@pytest.mark.parametrize(
    "token",
    [None, "", "nonsense", "a" * 30 + ":1vzswa:" + "b" * 43, "x:y:z"],
    ids=["missing", "empty", "malformed", "unsigned", "short"],
)
def test_a_bad_token_is_a_401_problem(api, token):
    path = PREVIEW if token is None else PREVIEW + "?token=" + token
    response = api(path)
    expected = 400 if token == "" else 401  # an empty parameter is refused like any other
    assert response.status_code == expected
    assert response["Content-Type"] == "application/problem+json"


def test_a_tampered_expired_or_deleted_token(api, condition, freezer):
    token = token_for(condition, ttl=60)
    payload, signature = token.split(":", 1)
    other = token_for(CausePage.objects.get(slug="shingles"))
    forged = f"{other.split(':', 1)[0]}:{signature}"  # another page's claims, this signature
    assert api(PREVIEW + "?token=" + forged).status_code == 401
    assert api(PREVIEW + "?token=" + payload + ":" + signature[::-1]).status_code == 401
    assert api(PREVIEW + "?token=" + token).status_code == 200
    freezer.move_to("2026-03-10 09:01:01")
    expired = api(PREVIEW + "?token=" + token)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    gone, _ = preview_tokens.mint(987654)  # a page deleted since (or never there)
    assert api(PREVIEW + "?token=" + gone).status_code == 404


def test_a_token_for_another_page_shows_that_page_only(api, condition):
    shingles = CausePage.objects.get(slug="shingles")
    assert api(PREVIEW + "?token=" + token_for(shingles)).json()["slug"] == "shingles"


def test_the_command_prints_a_token_and_refuses_a_ttl_above_the_maximum(api, condition, settings):
    out = StringIO()
    call_command("preview_token", str(condition.pk), "--ttl", "600", stdout=out, stderr=StringIO())
    assert preview_tokens.read(out.getvalue().strip()) == condition.pk
    settings.PREVIEW_TOKEN_MAX_SECONDS = 3600
    with pytest.raises(CommandError, match="1 to 3600 seconds"):
        call_command("preview_token", str(condition.pk), "--ttl", "3601")
    with pytest.raises(CommandError, match="No page has the id"):
        call_command("preview_token", "999999")


def test_the_admin_offers_app_email_and_each_clients_preview(api, condition, rf, settings):
    settings.PREVIEW_URLS = {"web": "https://www.example-clinic.test/preview?token={token}"}
    modes = dict(condition.preview_modes)
    assert list(modes) == ["", "app", "email", "client-web"]
    condition.title = "An unsaved title"
    app = condition.serve_preview(rf.get("/admin/"), "app").content.decode()
    assert "<h1>An unsaved title</h1>" in app  # laid out as the app shows it...
    assert "<strong>Shooting pain</strong>" not in app and "Also known as" in app
    assert "&quot;title&quot;: &quot;An unsaved title&quot;" in app  # ...above its JSON, escaped
    client = condition.serve_preview(rf.get("/admin/"), "client-web").content.decode()
    url = client.split('<iframe src="', 1)[1].split('"', 1)[0]
    token = url.split("token=", 1)[1]
    assert preview_tokens.read(unquote(token)) == condition.pk
    shown = api(PREVIEW + "?token=" + unquote(token)).json()
    assert shown["title"] == "Neuropathic pain"  # the client shows the latest saved revision


def test_a_preview_names_the_revision_it_shows_and_matches_the_schema(api, client):
    """A page whose latest revision is its first draft (its copy of `live_revision` is empty):
    the preview's revision_id is the revision shown, and the answer is as documented (found by
    schemathesis following a minted token)."""
    from api.channels import preview_tokens
    from pages.models import CausePage
    from tests.api.test_openapi import response_validator

    schema = client.get("/api/v1/schema/?format=json").json()
    cause = CausePage.objects.get(slug="alcoholism")
    cause.title = "Alcoholism (draft)"
    revision = cause.save_revision()
    token, _ = preview_tokens.mint(cause.pk, 600)
    for channel in ("web", "app"):
        data = client.get(f"/api/v1/preview/?token={token}&channel={channel}").json()
        assert data["revision_id"] == revision.pk
        assert response_validator(schema, "/api/v1/preview/", 200, channel).is_valid(data)
