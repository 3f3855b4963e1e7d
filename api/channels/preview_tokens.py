"""Preview tokens for headless clients (the website's and the app's preview screens): signed
with SECRET_KEY, scoped to one page, expiring. A token is the credential of
GET /api/v1/preview/ (api/views/preview.py): it shows the page's latest revision, drafts
included, to whoever holds it, so it lives at most PREVIEW_TOKEN_MAX_SECONDS.

    token, expires_at = mint(page_id=12, ttl=3600)
    read(token)  # 12, or BadToken / ExpiredToken
"""

import re
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing

from wagtail.models import Page

from shapes import registry
from shapes.representation import API_PREFIX

SALT = "api.preview.v1"  # unchanged when the module moved: tokens already minted stay valid
# django.core.signing.dumps: the claims, when it was signed, the signature (base64url each)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,400}:[A-Za-z0-9_-]{1,20}:[A-Za-z0-9_-]{20,100}")
DEFAULT_TTL = 3600  # seconds: long enough to review a draft, short enough to forget


class BadToken(Exception):
    """Missing, malformed or not signed by this server (changed, truncated, another secret)."""


class ExpiredToken(BadToken):
    pass


def max_ttl():
    return settings.PREVIEW_TOKEN_MAX_SECONDS


def previewable(page_id):
    """The content page `page_id`, or ValueError saying readably why it cannot be previewed."""
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        raise ValueError(f"No page has the id {page_id}.")
    if not registry.of(page.specific_class):
        *others, last = (item_type.name for item_type in registry.item_types())
        kinds = f"{', '.join(others)} or {last}" if others else last
        raise ValueError(f"Page {page_id} ({page.title}) is not a {kinds}.")
    return page


def preview_url(token, channel):
    """Where a client fetches the draft a token shows, in `channel` (web or app)."""
    return f"{settings.API_BASE_URL}{API_PREFIX}/preview/?token={token}&channel={channel}"


def mint(page_id, ttl=None):
    """(token, expiry as an aware datetime) for previewing page `page_id` for `ttl` seconds
    (default an hour); ValueError with a readable message for a TTL out of 1 to the maximum."""
    ttl = DEFAULT_TTL if ttl is None else ttl
    ceiling = max_ttl()
    if not 1 <= ttl <= ceiling:
        raise ValueError(
            f"A preview token lives 1 to {ceiling} seconds (PREVIEW_TOKEN_MAX_SECONDS); "
            f"{ttl} is out of range."
        )
    expires = int(time.time()) + ttl
    token = signing.dumps({"p": int(page_id), "e": expires}, salt=SALT)
    return token, datetime.fromtimestamp(expires, tz=UTC)


def read(token):
    """The page id a token previews; BadToken or ExpiredToken (never a token's own claims
    about how long it may live beyond the maximum)."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        raise BadToken("Not a preview token: send the token as it came.")
    try:
        claims = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise BadToken("This preview token was not issued here, or was changed.") from None
    now = time.time()
    if not isinstance(claims, dict) or not isinstance(claims.get("p"), int):
        raise BadToken("This preview token was not issued here, or was changed.")
    if claims.get("e", 0) <= now or claims["e"] - now > max_ttl():
        raise ExpiredToken("This preview token has expired: ask for a new one.")
    return claims["p"]
