"""Rich text refuses unsafe links at save time: a `javascript:`, `data:`, `vbscript:` or any
other href that is not http(s), mailto, tel, a path or a fragment is a readable validation
error on the field (or, inside a StreamField, on the form), so it is never stored. (The API
also drops such hrefs when it reads rich text, and text saved without a form is sanitized:
pages.text_safety.)"""

import html
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from wagtail.fields import RichTextField, StreamField

from pages.text_safety import SAFE_URL_SCHEMES, safe_href, stream_raw

HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def unsafe_hrefs(markup):
    """The hrefs in `markup` that are not safe to link to (as written, entities decoded)."""
    found = []
    for match in HREF.finditer(markup or ""):
        href = html.unescape(next(group for group in match.groups() if group is not None))
        if href.strip() and not safe_href(href):
            found.append(href)
    return found


def _message(hrefs, where):
    shown = ", ".join(repr(href[:60]) for href in hrefs[:3])
    return f"Unsafe link {shown} in {where}: links must start with {SAFE_URL_SCHEMES}."


def _strings(value):
    """Every string inside a StreamField's stored value (rich text blocks among them)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def check_links(instance):
    """ValidationError naming each rich text field of `instance` (StreamFields included) that
    links unsafely; nothing when all is well."""
    errors = {}
    for field in instance._meta.get_fields():
        if isinstance(field, RichTextField):
            bad = unsafe_hrefs(getattr(instance, field.attname))
            if bad:
                errors[field.name] = _message(bad, f"“{field.verbose_name}”")
        elif isinstance(field, StreamField):
            stored = stream_raw(field, getattr(instance, field.attname))
            bad = [href for text in _strings(stored) for href in unsafe_hrefs(text)]
            if bad:
                errors.setdefault(NON_FIELD_ERRORS, []).append(
                    _message(bad, f"“{field.verbose_name}”")
                )
    if errors:
        raise ValidationError(errors)
