"""How large the property, fuzz and generated-content tests run: small in `make test` (its
budget is 3 minutes on 2 cores), full in CI's PostgreSQL pass (HEAVY_TESTS=1)."""

import os

FULL = bool(os.environ.get("HEAVY_TESTS"))


def sized(small, full):
    """`full` in the heavy pass, `small` in `make test`."""
    return full if FULL else small
