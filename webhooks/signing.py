"""Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature), made with
the `standardwebhooks` package so that any Standard Webhooks library verifies them."""

import base64
import re
import secrets

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32
# whsec_ + base64 of 24 to 64 bytes: the Standard Webhooks specification's symmetric secret
# ("Random. Between 24 bytes (192 bits) and 64 bytes (512 bits)", base64, prefixed whsec_)
SECRET_PATTERN = re.compile(r"^whsec_[A-Za-z0-9+/]{32,88}={0,2}$")


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_secret(secret):
    """A readable reason why `secret` is not a usable whsec_ secret, or None."""
    if not SECRET_PATTERN.match(secret or ""):
        return "A secret is whsec_ followed by the base64 of 24 to 64 random bytes."
    raw = base64.b64decode(secret[len(SECRET_PREFIX) :] + "==")
    if not 24 <= len(raw) <= 64:
        return "A secret is whsec_ followed by the base64 of 24 to 64 random bytes."
    return None


def headers(event_id, timestamp, body, secrets_):
    """The headers of one attempt posting `body` (str) at `timestamp` (aware datetime), signed
    with each of `secrets_` (space-separated signatures, as during a rotation)."""
    signatures = " ".join(Webhook(secret).sign(event_id, timestamp, body) for secret in secrets_)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }
