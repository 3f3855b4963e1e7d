"""The soak's settings (bench/soak.py): production's, plus what the soak needs on one machine:
webhooks may reach the soak's own receiver on loopback (production refuses
WEBHOOKS_ALLOW_PRIVATE_TARGETS when it comes from the environment), and no rate limit."""

from cms.settings.production import *

WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
API_ANONYMOUS_RATE = "100000000/min"  # measure the stack, not the rate limit
