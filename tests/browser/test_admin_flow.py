"""The admin in a real browser (Debian's chromium through Playwright) against a live server:
an Editor edits a page and submits it for medical review with no way to publish it; a Medical
reviewer approves it; the API then serves it with the reviewer and today's review date. And
five wrong passwords pause a sign-in. Heavy (CI's PostgreSQL pass); screenshots of each step go
to var/browser-artifacts/ (gitignored), kept as CI artifacts.

Not yet: creating a condition through the choosers, a TOTP code for the reviewer, a CSP
(issue 12 continues)."""

import re
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest

from pages.models import CausePage, Reviewer
from tests.browser.test_email_layout import ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "browser-artifacts"
PASSWORD = "a-long-password-for-tests"
# the browser must not call out (wagtail's update check, avatars): such errors would be noise
NETWORK = re.compile(r"net::ERR_|Failed to load resource|Failed to fetch")
# every Content-Security-Policy violation on a page, as "directive: blocked URI"
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`));
"""

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def browser(chromium, monkeypatch):
    """A chromium browser; the test's own database calls run beside Playwright's event loop."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        yield browser
        browser.close()


def user(django_user_model, name, group):
    account = django_user_model.objects.create_user(name, f"{name}@clinic.test", PASSWORD)
    account.groups.add(Group.objects.get(name=group))
    return account


def signed_in(browser, live_server, name, errors):
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.add_init_script(CSP_WATCH)
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and not NETWORK.search(m.text) else None
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def shot(page, name, errors=None):
    """A screenshot of this step; with `errors`, the page's CSP violations join them."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if errors is not None:
        errors += [f"{name}: CSP {v}" for v in page.evaluate("window.__csp || []")]


def test_an_editor_submits_and_a_medical_reviewer_approves(
    browser, live_server, django_user_model, client
):
    from pages.seed import load_seed_content

    load_seed_content()
    user(django_user_model, "editor", "Editors")
    reviewer = user(django_user_model, "reviewer", "Medical reviewers")
    profile = Reviewer.objects.create(name="Dr Ada Reviewer", credentials="MD", user=reviewer)
    cause = CausePage.objects.get(slug="shingles")
    edit_url = f"{live_server.url}/admin/pages/{cause.pk}/edit/"
    errors = []

    editor = signed_in(browser, live_server, "editor", errors)
    editor.goto(edit_url)
    editor.fill("#id_title", "Shingles (reviewed)")
    shot(editor, "1-editor-edits", errors)
    assert editor.locator('button[name="action-publish"]').count() == 0  # no way to publish
    editor.locator("[data-w-dropdown-target='toggle']").last.click()
    editor.locator('button[name="action-submit"]').click()
    editor.wait_for_load_state("networkidle")
    shot(editor, "2-editor-submitted", errors)
    assert CausePage.objects.get(pk=cause.pk).title == "Shingles"  # not published

    approver = signed_in(browser, live_server, "reviewer", errors)
    approver.goto(edit_url)
    approver.locator("[data-w-dropdown-target='toggle']").last.click()
    approver.locator("button[data-workflow-action-name='approve']").first.click()
    approver.wait_for_load_state("networkidle")
    shot(approver, "3-reviewer-approved", errors)

    cause.refresh_from_db()
    assert cause.live and cause.title == "Shingles (reviewed)"
    assert cause.reviewed_by == profile and cause.last_reviewed == timezone.localdate()
    review = client.get("/api/v1/causes/shingles/").json()["medical_review"]
    assert review["reviewed_by"]["name"] == "Dr Ada Reviewer"
    assert review["last_reviewed"] == timezone.localdate().isoformat()
    for path in ("/admin/", "/admin/pages/", f"/admin/pages/{cause.pk}/edit/preview/"):
        approver.goto(f"{live_server.url}{path}")
        approver.wait_for_load_state("networkidle")
        shot(approver, "5-" + path.strip("/").replace("/", "-"), errors)
    assert not errors, errors  # console errors and CSP violations on every page visited


def test_five_wrong_passwords_pause_the_sign_in(browser, live_server, django_user_model, settings):
    settings.AXES_ENABLED = True
    django_user_model.objects.create_superuser("ada", "ada@clinic.test", PASSWORD)
    page = browser.new_context().new_page()
    for _ in range(5):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "ada")
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    shot(page, "4-locked-out")
    assert "Too many sign-in attempts" in page.content()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "Too many sign-in attempts" in page.content()  # even the right password, for now
