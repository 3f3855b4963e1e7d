"""The admin's website preview of every page type, as an editor sees it in Debian's chromium
(Playwright; never a downloaded browser): at a desktop width and at a phone's, nothing is wider
than the window, no Python object's name shows, and the console holds no error. Heavy: runs in
CI's PostgreSQL pass."""

import re

from wagtail.models import Page

import pytest
import wagtail_factories

from shapes import registry
from tests.browser.conftest import CHROMIUM
from tests.browser.test_email_layout import ARGS

PYTHON_OBJECT = re.compile(r"\b\w+ object \(\d+\)")
WIDTHS = (1400, 375)


def previews(pages, mode=""):
    """{page title: the HTML of its preview in `mode` (the website's by default)}."""
    return {
        page.title: page.make_preview_request(preview_mode=mode).content.decode() for page in pages
    }


def measure(markup, width):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.route("**/*", lambda route: route.abort())  # media would come from a server
            page.set_content(markup, wait_until="domcontentloaded")
            found = page.evaluate(
                """() => ({
                    document: document.documentElement.scrollWidth,
                    widest: Math.max(...[...document.querySelectorAll('body *')].map(
                        e => e.getBoundingClientRect().right)),
                    text: document.body.innerText,
                })"""
            )
            return found, [e for e in errors if "net::ERR_FAILED" not in e]
        finally:
            browser.close()


@pytest.mark.heavy
def test_every_page_types_preview_fits_the_window_and_names_no_python_object(
    seeded, chromium, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    image = wagtail_factories.ImageFactory(file__width=1532, file__height=900)
    pages = []
    for item_type in registry.item_types():
        page = item_type.model.objects.live().order_by("pk").first()
        page.hero_image, page.hero_image_alt = image, "A clinician with a patient"
        diagram = {"image": image.pk, "alt_text": "A diagram of a nerve", "decorative": False}
        page.body = [*page.body.raw_data, {"type": "image", "value": diagram}]
        page.save_revision().publish()
        pages.append(item_type.model.objects.get(pk=page.pk))
    home = Page.objects.get(depth=2).specific
    pages += [home, *(child.specific for child in home.get_children())]
    problems = []
    for title, markup in previews(pages).items():
        for width in WIDTHS:
            found, errors = measure(markup, width)
            if found["document"] > width or found["widest"] > width:
                problems.append(f"{title} at {width} px: {found['document']}, {found['widest']}")
            names = PYTHON_OBJECT.findall(found["text"])
            problems += [f"{title}: shows {name!r}" for name in names]
            problems += [f"{title} at {width} px: console error {e}" for e in errors]
    for title, markup in previews(pages[: len(registry.item_types())], "app").items():
        found, errors = measure(markup, 375)  # the app's preview: a phone
        if found["document"] > 375 or found["widest"] > 375:
            problems.append(f"{title}, app preview: {found['document']}, {found['widest']}")
        problems += [f"{title}, app: shows {n!r}" for n in PYTHON_OBJECT.findall(found["text"])]
        problems += [f"{title}, app: console error {e}" for e in errors]
    assert not problems, "\n".join(problems)
    condition = previews(pages[:1]).popitem()[1]
    assert "Also called: Nerve pain" in condition  # the other name, not its row's repr
