"""Strict query-parameter parsing shared by every endpoint: a bad value is a 400 naming the
parameter (see api.problems.BadQuery), never a silent default or clamp.

Every rule here is mirrored by the parameter's schema in the OpenAPI document (the patterns below
are used by both), so a client generated from the document never sends what the server refuses.
"""

import re
import unicodedata

from api.problems import BadQuery
from pages.representation import CHANNELS, WEB

SEARCH_MAX_LENGTH = 200
NAME_PATTERN = r"[a-z_]+"
LIST_PATTERN = rf"^{NAME_PATTERN}(,{NAME_PATTERN})*$"  # fields=, expand=, types=
LIST_MAX_LENGTH = 500  # fields=, expand=: far more than every name once
INTEGER_PATTERN = r"^[0-9]{1,9}$"  # ASCII digits only: no sign, underscore or other scripts
# Search text: anything, as long as something is left once spaces and control characters are.
SEARCH_PATTERN = r"[^\s\x00-\x1f\x7f-\x9f]"
SEARCH_SCHEMA = {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": SEARCH_PATTERN}


def check_parameters(request, allowed):
    """400 for any query parameter not in `allowed` (naming the allowed ones), given more than
    once, or given with an empty value (leave a parameter out rather than send it empty)."""
    params = request.query_params
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadQuery(
            {
                name: [f"Unknown parameter. Allowed: {', '.join(sorted(allowed))}."]
                for name in unknown
            },
            detail=f"Unknown query parameter(s): {', '.join(unknown)}.",
        )
    errors = {}
    for name in sorted(params):
        values = params.getlist(name)
        if len(values) > 1:
            errors[name] = ["Given more than once; give it once (lists are comma-separated)."]
        elif not values[0]:
            errors[name] = ["Empty; give a value or leave the parameter out."]
    if errors:
        raise BadQuery(errors)


def split_param(request, name, pattern=LIST_PATTERN, hint="e.g. title,summary"):
    """A comma-separated parameter as a list of names; None when absent; 400 when it does not
    match `pattern` (an empty part, spaces, capitals, other characters). `hint` tells the
    client what to send instead."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if len(raw) > LIST_MAX_LENGTH or not re.fullmatch(pattern, raw):
        raise BadQuery({name: [f"Give comma-separated names, {hint} (no spaces)."]})
    return raw.split(",")


def subset_param(request, name, known, what):
    """A comma-separated choice of `known` names; None when absent; 400 naming the known ones
    for an unknown choice. `what` says what the names are, for the message."""
    chosen = split_param(request, name)
    if chosen is None:
        return None
    unknown = [item for item in chosen if item not in known]
    if unknown:
        raise BadQuery(
            {
                name: [
                    f"Unknown {what} {', '.join(unknown)}; use one or more of: "
                    f"{', '.join(sorted(known)) or 'none'}."
                ]
            }
        )
    return set(chosen)


def parse_bounded_int(request, name, default, minimum, maximum):
    """A whole number written in ASCII digits, from `minimum` to `maximum`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    bounds = f"from {minimum} to {maximum}"
    if not re.fullmatch(INTEGER_PATTERN, raw):
        raise BadQuery({name: [f"{raw[:20]!r} is not a whole number; use {bounds}."]})
    value = int(raw)
    if value < minimum or value > maximum:
        raise BadQuery({name: [f"{value} is out of range; use {bounds}."]})
    return value


def plain_text(raw):
    """User text with control characters (NUL, escapes, line breaks) read as spaces and runs of
    whitespace collapsed."""
    cleaned = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in raw)
    return " ".join(cleaned.split())


def search_text(request, name, required=False):
    """The search text in `name`: at most 200 characters, not only spaces; None when absent.
    Any text is accepted (quotes and search operators are words like any other, see
    pages.search)."""
    raw = request.query_params.get(name)
    if raw is None and not required:
        return None
    raw = raw or ""
    text = plain_text(raw)
    if not text or len(raw) > SEARCH_MAX_LENGTH or not re.search(SEARCH_PATTERN, raw):
        raise BadQuery({name: [f"Give 1 to {SEARCH_MAX_LENGTH} characters of search text."]})
    return text


def channel_param(request, default=WEB):
    """?channel=web|app: whose shapes to answer with (pages.representation)."""
    raw = request.query_params.get("channel")
    if raw is None:
        return default
    if raw not in CHANNELS:
        raise BadQuery({"channel": [f"Unknown channel; use one of: {', '.join(CHANNELS)}."]})
    return raw
