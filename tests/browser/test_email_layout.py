"""Email documents as a mail client lays them out: Debian's chromium, driven by Playwright (never
a downloaded browser), at 320, 375 and 600 px, in the light and the emulated dark colour
scheme. Heavy: runs in CI's PostgreSQL pass (HEAVY_TESTS=1); .ci/run installs chromium when it
is missing.

What chromium cannot show: Outlook's Word engine and the forced colour inversion of Gmail's and
Outlook's apps (README.md, "Email"). Screenshots the README shows are kept in docs/.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings as django_settings

import pytest

from tests.api.test_campaigns import PATH, make_campaign
from tests.browser.conftest import CHROMIUM
from tests.factories import give_hero_image

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
WIDTHS = (320, 375, 600)
SCHEMES = ("light", "dark")
MIN_CONTRAST = 4.5

# For each element with text of its own: its colour against the first opaque background behind
# it (the canvas where none is: white, or dark when the document allows a dark scheme).
MEASURE = (
    Path(__file__)
    .with_name("email_measure.js")
    .read_text()
    .split("\n", 1)[1]  # after its comment: Playwright calls what reads as a function
    .replace("MIN_CONTRAST", str(MIN_CONTRAST))
)


def media_route(route):
    """Images from the test media folder, as the media host would serve them; nothing else is
    fetched."""
    path = urlsplit(route.request.url).path
    if path.startswith(django_settings.MEDIA_URL):
        file = Path(django_settings.MEDIA_ROOT) / path.removeprefix(django_settings.MEDIA_URL)
        if file.is_file():
            return route.fulfill(path=str(file))
    return route.abort()


def lay_out(document, name=None, shots=()):
    """`document` at every width in both colour schemes: {(width, scheme): measurements}; the
    (width, scheme) pairs in `shots` are kept as docs/<name>-<width>-<scheme>.png. (Fetch from
    the API before: Playwright's sync API runs an event loop in this thread, where Django gives
    the test database another connection.)"""
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for width in WIDTHS:
                for scheme in SCHEMES:
                    page = browser.new_page(
                        viewport={"width": width, "height": 900}, color_scheme=scheme
                    )
                    errors = []
                    page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                    page.route("**/*", media_route)
                    page.set_content(document, wait_until="load")
                    found[width, scheme] = {**page.evaluate(MEASURE), "errors": errors}
                    if (width, scheme) in shots:
                        shot = DOCS / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(shot), full_page=True)
                    page.close()
        finally:
            browser.close()
    return found


def assert_laid_out(found):
    for (width, scheme), seen in found.items():
        where = f"{width} px, {scheme}"
        assert seen["document"] <= width, (where, seen["document"])  # no horizontal scroll
        assert seen["widest"] <= width + 0.5, (where, seen["widest"])  # nothing cut off
        assert not seen["low"], (where, seen["low"])  # no text fades into its background
        assert not seen["errors"], (where, seen["errors"])
        for natural, natural_height, shown, shown_height in seen["images"]:
            assert natural > 0 and shown <= width  # loaded, within the screen
            assert natural >= 2 * shown - 1, (where, natural, shown)  # sharp on a 2x screen
            ratio = (shown_height / shown) / (natural_height / natural)
            assert 0.98 < ratio < 1.02, (where, "stretched", ratio)


@pytest.mark.heavy
def test_an_item_email_holds_from_320_to_600_pixels_in_light_and_dark(
    api, chromium, settings, tmp_path
):
    give_hero_image(settings, tmp_path, "A clinician talking with a patient")
    document = api("/api/v1/conditions/neuropathic-pain/email/").json()["html"]
    found = lay_out(document)
    assert_laid_out(found)
    assert all(len(seen["images"]) == 1 for seen in found.values())  # the hero
    therapy = api("/api/v1/therapies/ketamine-infusion-therapy/email/").json()["html"]
    shots = {(375, "light"), (375, "dark")}
    found = lay_out(therapy, "email-therapy", shots)
    assert_laid_out(found)
    assert found[375, "light"]["text"] > 2000
    for width, scheme in shots:
        assert (DOCS / f"email-therapy-{width}-{scheme}.png").stat().st_size > 10_000


@pytest.mark.heavy
def test_a_campaign_holds_from_320_to_600_pixels_and_is_kept_as_screenshots(
    api, chromium, settings, tmp_path
):
    give_hero_image(settings, tmp_path, "A clinician talking with a patient")
    make_campaign()
    document = api(PATH).json()["html"]
    found = lay_out(document, "email-campaign", {(600, "light"), (375, "dark")})
    assert_laid_out(found)
    assert found[600, "light"]["text"] > 800
    assert (DOCS / "email-campaign-600-light.png").stat().st_size > 10_000
