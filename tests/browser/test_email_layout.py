"""Email HTML as a mail client lays it out: Debian's chromium, driven by Playwright (never a
downloaded browser), at 600 px. Heavy: runs in CI's PostgreSQL pass (HEAVY_TESTS=1); .ci/run
installs chromium when it is missing.

The campaign's screenshot is kept at docs/campaign-email.png (the README shows it).
"""

from pathlib import Path

import pytest

from tests.api.test_campaigns import PATH, make_campaign
from tests.browser.conftest import CHROMIUM

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "campaign-email.png"


def layout(markup, screenshot=None):
    """Lay `markup` out in a 600 px wide window of Debian's chromium (nothing fetched from the
    network); returns how wide the document and its widest element are, how much text it
    shows, and any console errors. (Fetch from the API before: Playwright's sync API runs an
    event loop in this thread, where Django gives the test database another connection.)"""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            return _measure(browser, markup, screenshot)
        finally:
            browser.close()


def _measure(browser, markup, screenshot):
    page = browser.new_page(viewport={"width": 600, "height": 900})
    errors = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.route("**/*", lambda route: route.abort())  # images would come from the media host
    page.set_content(markup, wait_until="domcontentloaded")
    widths = page.evaluate(
        """() => ({
            document: document.documentElement.scrollWidth,
            widest: Math.max(...[...document.querySelectorAll('body *')].map(
                e => e.getBoundingClientRect().right)),
            text: document.body.innerText.length,
        })"""
    )
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return widths, [e for e in errors if "net::ERR_FAILED" not in e]


@pytest.mark.heavy
def test_an_item_email_lays_out_at_600_pixels(api, chromium):
    fragment = api("/api/v1/therapies/ketamine-infusion-therapy/email/").json()["html"]
    widths, errors = layout(f"<!DOCTYPE html><html><body style='margin:0'>{fragment}</body></html>")
    assert widths["document"] <= 600 and widths["widest"] <= 600, widths
    assert widths["text"] > 500 and not errors


@pytest.mark.heavy
def test_a_campaign_lays_out_at_600_pixels_and_is_kept_as_a_screenshot(api, chromium):
    make_campaign()
    document = api(PATH).json()["html"]
    widths, errors = layout(document, SCREENSHOT)
    assert widths["document"] <= 600 and widths["widest"] <= 600, widths
    assert widths["text"] > 300 and not errors
    assert SCREENSHOT.stat().st_size > 10_000
