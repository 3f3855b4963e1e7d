"""The admin in a real browser (Debian's chromium through Playwright) against a live server:
an Editor creates a condition with a cause and a symptom through the choosers and submits it
for medical review with no way to publish it; a Medical reviewer, whose role requires two-factor
sign-in, enters a code from their authenticator and approves it (offered no plain Publish
beside the approval); the API then serves it with the cause, the symptom, the reviewer and
today's review date. And five wrong passwords pause a sign-in. Every page visited must be free
of console errors and CSP violations. Heavy (CI's PostgreSQL pass); screenshots of each step go
to var/browser-artifacts/ (gitignored), kept as CI artifacts."""

import re
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from pages.models import ConditionIndexPage, ConditionPage, Reviewer
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


def signed_in(browser, live_server, name, errors, authenticator=None):
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
    if authenticator:  # the second factor, as the person's phone would show it
        page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
        shot(page, f"{name}-two-factor", errors)
        device = authenticator
        page.fill("#id_code", f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        shot(page, f"{name}-two-factor-done", errors)
    page.wait_for_url(f"{live_server.url}/admin/")
    return page


def choose(page, chooser_id, row_text):
    """Pick `row_text` in the chooser modal that the widget `chooser_id` opens."""
    page.locator(f"#{chooser_id}-chooser [data-chooser-action-choose]").first.click()
    page.locator(f".modal-content table a:has-text('{row_text}')").first.click()
    page.wait_for_selector(".modal-content", state="detached")


def shot(page, name, errors=None):
    """A screenshot of this step; with `errors`, the page's CSP violations join them."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    if errors is not None:
        errors += [f"{name}: CSP {v}" for v in page.evaluate("window.__csp || []")]


EDIT_FORM_MAX_HEIGHT = 9000


def test_an_editor_creates_a_condition_and_a_medical_reviewer_approves_it(
    browser, live_server, django_user_model, client, settings
):
    from pages.seed import load_seed_content

    load_seed_content()
    settings.TWO_FACTOR_REQUIRED_GROUPS = ["Medical reviewers"]
    user(django_user_model, "editor", "Editors")
    reviewer = user(django_user_model, "reviewer", "Medical reviewers")
    authenticator = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    profile = Reviewer.objects.create(name="Dr Ada Reviewer", credentials="MD", user=reviewer)
    index = ConditionIndexPage.objects.get()
    errors = []

    editor = signed_in(browser, live_server, "editor", errors)
    editor.goto(f"{live_server.url}/admin/pages/add/pages/conditionpage/{index.pk}/")
    editor.fill("#id_title", "Phantom limb pain")
    editor.fill("#id_summary", "Pain felt in a limb that is no longer there.")
    editor.click("#id_cause_links-ADD")
    choose(editor, "id_cause_links-0-cause", "Amputation")
    editor.click("#id_symptom_links-ADD")
    choose(editor, "id_symptom_links-0-symptom", "Burning pain")
    shot(editor, "1-editor-creates", errors)
    assert editor.locator('button[name="action-publish"]').count() == 0  # no way to publish
    editor.click("button[type=submit]:has-text('Save draft')")
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    condition = ConditionPage.objects.get(slug="phantom-limb-pain")
    assert not condition.live
    edit_url = f"{live_server.url}/admin/pages/{condition.pk}/edit/"
    assert editor.locator('button[name="action-publish"]').count() == 0
    editor.locator("[data-w-dropdown-target='toggle']").last.click()
    editor.locator('button[name="action-submit"]').click()
    editor.wait_for_load_state("networkidle")
    shot(editor, "2-editor-submitted", errors)
    assert client.get("/api/v1/conditions/phantom-limb-pain/").status_code == 404

    approver = signed_in(browser, live_server, "reviewer", errors, authenticator)
    approver.goto(edit_url)
    approver.locator("[data-w-dropdown-target='toggle']").last.click()
    # in review, the approval is the only way to publish (pages.governance.check_publication)
    assert approver.locator('button[name="action-publish"]').count() == 0
    approver.locator("button[data-workflow-action-name='approve']").first.click()
    approver.wait_for_load_state("networkidle")
    shot(approver, "3-reviewer-approved", errors)

    condition.refresh_from_db()
    assert condition.live
    assert condition.reviewed_by == profile and condition.last_reviewed == timezone.localdate()
    served = client.get("/api/v1/conditions/phantom-limb-pain/").json()
    assert [c["slug"] for c in served["causes"]] == ["amputation"], served["causes"]
    assert [s["name"] for s in served["symptoms"]] == ["Burning pain"], served["symptoms"]
    review = served["medical_review"]
    assert review["reviewed_by"]["name"] == "Dr Ada Reviewer"
    assert review["last_reviewed"] == timezone.localdate().isoformat()
    for path in ("/admin/", "/admin/pages/", f"/admin/pages/{condition.pk}/edit/preview/"):
        approver.goto(f"{live_server.url}{path}")
        approver.wait_for_load_state("networkidle")
        shot(approver, "5-" + path.strip("/").replace("/", "-"), errors)
    # the seed condition (8 causes, 8 treatments, 4 symptoms): saved rows are one line each
    seed = ConditionPage.objects.get(slug="neuropathic-pain")
    approver.goto(f"{live_server.url}/admin/pages/{seed.pk}/edit/")
    approver.wait_for_load_state("networkidle")
    # the admin scrolls inside its own container: the tallest scrolling height is the form's
    height = approver.evaluate(
        "Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
    )
    assert height < EDIT_FORM_MAX_HEIGHT, height  # 6,673 px; 15,700 px with every row open
    first_cause = approver.locator("#inline_child_cause_links-0-panel-section")
    assert "collapsed" in first_cause.get_attribute("class")
    first_cause.locator("[data-panel-toggle]").click()  # a click opens the row
    assert first_cause.locator("[data-panel-toggle]").get_attribute("aria-expanded") == "true"
    shot(approver, "6-condition-edit-form", errors)
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
