"""Strict query-parameter parsing shared by every endpoint: a bad value is a 400 naming the
parameter (see api.http.problems.BadQuery), never a silent default or clamp.

Every rule here is mirrored by the parameter's schema in the OpenAPI document (the patterns below
are used by both), so a client generated from the document never sends what the server refuses.
Patterns are written to mean the same in ECMA-262 (the document's dialect) and Python, and
lengths are counted as JSON Schema's `maxLength` counts them: in Unicode code points (Python's
`len` of a str).

A view reads all its parameters through one `Query`, which checks each on its own and answers
one 400 naming every invalid one: what is wrong with one never hides what is wrong with another.
"""

import re
import unicodedata

from rest_framework import exceptions

from api.http.problems import BadQuery, error_messages
from shapes.representation import CHANNELS, WEB

SEARCH_MAX_LENGTH = 200
NAME_PATTERN = r"[a-z_]+"
LIST_PATTERN = rf"^{NAME_PATTERN}(,{NAME_PATTERN})*$"  # fields=, expand=, types=
LIST_MAX_LENGTH = 500  # fields=, expand=: far more than every name once
INTEGER_PATTERN = r"^[0-9]{1,9}$"  # ASCII digits only: no sign, underscore or other scripts
# Search text: anything, as long as something is left once spaces and control characters are.
# The spaces are ECMA-262's `\s` (Python's lacks U+FEFF), the control characters C0 and C1.
BLANK = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SEARCH_PATTERN = rf"[^{BLANK}]"
SEARCH_SCHEMA = {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": SEARCH_PATTERN}


class Query:
    """One request's query parameters, each checked on its own: unknown ones (naming the
    `allowed` ones), ones given more than once or empty, and every value a view reads through
    `value()` or `check()`. `done()` raises one BadQuery naming each invalid parameter with
    its first problem; a view calls it before answering anything."""

    def __init__(self, request, allowed):
        self.request = request
        self.errors = {}
        params = request.query_params
        unknown = sorted(set(params) - set(allowed))
        for name in unknown:
            self.errors[name] = [f"Unknown parameter. Allowed: {', '.join(sorted(allowed))}."]
        for name in sorted(set(params) - set(unknown)):
            values = params.getlist(name)
            if len(values) > 1:
                self.errors[name] = [
                    "Given more than once; give it once (lists are comma-separated)."
                ]
            elif not values[0]:
                self.errors[name] = ["Empty; give a value or leave the parameter out."]

    def value(self, name, read):
        """`read()` (a callable reading parameter `name`, raising BadQuery); None when `name` is
        already known to be wrong or `read()` refuses it (its errors are kept for `done()`)."""
        if name in self.errors:
            return None
        return self.check(read)

    def check(self, read):
        """`read()`, which may read several parameters; None when it refuses (its errors are
        kept for `done()`, each parameter's first problem only)."""
        try:
            return read()
        except exceptions.ValidationError as error:
            for name, messages in error_messages(error.detail).items():
                self.errors.setdefault(name, messages)
            return None

    def done(self):
        if self.errors:
            raise BadQuery(self.errors)


def check_parameters(request, allowed):
    """400 for any query parameter not in `allowed` (naming the allowed ones), given more than
    once, or given with an empty value (leave a parameter out rather than send it empty)."""
    Query(request, allowed).done()


def split_param(
    request, name, pattern=LIST_PATTERN, hint="e.g. title,summary", max_length=LIST_MAX_LENGTH
):
    """A comma-separated parameter as a list of names; None when absent; 400 when it is over
    `max_length` characters (code points) or does not match `pattern` (an empty part, spaces,
    capitals, other characters). `hint` tells the client what to send instead."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if max_length is not None and len(raw) > max_length:
        raise BadQuery({name: [f"At most {max_length} characters; this has {len(raw)}."]})
    if not re.fullmatch(pattern, raw):
        raise BadQuery({name: [f"Give comma-separated names, {hint} (no spaces)."]})
    return raw.split(",")


def subset_param(request, name, known, what, max_length=LIST_MAX_LENGTH):
    """A comma-separated choice of `known` names; None when absent; 400 naming the known ones
    for an unknown choice. `what` says what the names are, for the message."""
    chosen = split_param(request, name, max_length=max_length)
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
    """?channel=web|app: whose shapes to answer with (shapes.representation)."""
    raw = request.query_params.get("channel")
    if raw is None:
        return default
    if raw not in CHANNELS:
        raise BadQuery({"channel": [f"Unknown channel; use one of: {', '.join(CHANNELS)}."]})
    return raw
