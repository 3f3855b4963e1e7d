"""The project's message catalogue (locale/, `make messages`): every message the email's
templates and the email sections say has a translation in each other content language, and the
compiled .mo the server reads is the one its .po compiles to."""

import gettext
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

import pytest

LOCALE = Path(settings.BASE_DIR) / "locale"
# Wagtail's own admin strings in a template the project overrides: Wagtail's catalogue has them.
WAGTAIL_STRINGS = {"Move up", "Move down", "Drag", "Delete"}


def catalogues():
    return sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))


def test_each_other_content_language_has_a_catalogue():
    languages = {path.parts[-3] for path in catalogues()}
    assert languages == set(settings.CONTENT_LANGUAGES[1:])


def entries(po):
    """{msgid: [msgstr...]} of a .po file (as msgfmt reads it: adjacent strings joined)."""
    found, current, key = {}, None, None
    for line in po.read_text().splitlines() + [""]:
        if line.startswith(("msgid ", "msgid_plural ", "msgstr")):
            key = line.split(" ", 1)[0]
            value = line.split(" ", 1)[1]
            if key == "msgid":
                current = {"msgid": "", "msgstr": []}
            if key.startswith("msgstr"):
                current["msgstr"].append("")
            line = value
        if line.startswith('"') and current is not None:
            text = line[1:-1].encode().decode("unicode_escape").encode("latin-1").decode()
            if key == "msgid":
                current["msgid"] += text
            elif key.startswith("msgstr"):
                current["msgstr"][-1] += text
        elif not line and current is not None and current["msgid"]:
            found[current["msgid"]] = current["msgstr"]
            current = None
    return found


@pytest.mark.parametrize("po", catalogues(), ids=lambda path: path.parts[-3])
def test_every_message_is_translated(po):
    untranslated = [
        msgid
        for msgid, strings in entries(po).items()
        if msgid not in WAGTAIL_STRINGS and not all(strings)
    ]
    assert not untranslated, f"translate these in {po}, then `make messages`: {untranslated}"


@pytest.mark.parametrize("po", catalogues(), ids=lambda path: path.parts[-3])
def test_the_compiled_catalogue_is_current(po, tmp_path):
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)
    committed = po.with_suffix(".mo")
    with fresh.open("rb") as new, committed.open("rb") as old:
        expected, found = gettext.GNUTranslations(new), gettext.GNUTranslations(old)
    assert found._catalog == expected._catalog, f"run `make messages`: {committed} is stale"
