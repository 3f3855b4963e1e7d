"""The email channel's HTML against caniemail.com's support data for Gmail, Apple Mail, Outlook
(Windows and macOS) and Samsung Email (clients/email-check: the caniemail package, pinned by its
package-lock.json, run by Node). Any feature a client does not support must be in
clients/email-check/allowlist.json with that client and the reason it is safe. Heavy: runs in
CI's PostgreSQL pass, which installs the package with `npm ci` when it is missing.

The report is written to var/email-compat.json (README.md, "Email", summarizes it).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pages.models import ConditionPage
from tests.api.test_campaigns import PATH, make_campaign
from tests.factories import give_hero_image

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "clients" / "email-check"
REPORT = ROOT / "var" / "email-compat.json"


def installed():
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node 20+ and npm are needed for the email compatibility check")
    if not (CHECK / "node_modules" / "caniemail").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CHECK,
            check=True,
            timeout=300,
        )


@pytest.mark.heavy
def test_every_email_uses_only_features_its_clients_support_or_a_reviewed_exception(
    api, heavy, settings, tmp_path
):
    page = give_hero_image(settings, tmp_path, "A clinician talking with a patient")
    page = ConditionPage.objects.get(pk=page.pk)
    page.body = [
        {"type": "image", "value": {"image": page.hero_image_id, "alt_text": "A drip"}},
        *page.body.raw_data,
    ]
    page.save_revision().publish()
    make_campaign()
    emails = {
        "condition": "/api/v1/conditions/neuropathic-pain/email/",
        "therapy": "/api/v1/therapies/ketamine-infusion-therapy/email/?esp=braze",
        "campaign": PATH,
    }
    files = []
    for name, path in emails.items():
        file = tmp_path / f"{name}.html"
        file.write_text(api(path).json()["html"])
        files.append(str(file))
    installed()
    REPORT.parent.mkdir(exist_ok=True)
    checked = subprocess.run(
        ["node", str(CHECK / "check.mjs"), str(REPORT), *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(REPORT.read_text())
    assert checked.returncode == 0, checked.stderr
    assert not report["unapproved"]
    assert set(report["clients"]) >= {"gmail.*", "apple-mail.*", "outlook.windows"}
    for found in report["emails"].values():  # the check saw what it was meant to
        assert "@media" in found["unsupported"] or "@media" in found["partial"]
    allowlist = json.loads((CHECK / "allowlist.json").read_text())
    assert all(entry["reason"] and entry["clients"] for entry in allowlist.values())
    used = {title for found in report["emails"].values() for title in found["unsupported"]}
    assert set(allowlist) <= used, f"allowed but no longer needed: {set(allowlist) - used}"
