"""What stored text may hold, decided at the boundary: every write path (a model's `save()`, a
revision's content, the seed and generator's bulk inserts) passes text through here, and the
renderers pass what the database already holds through it again.

- Plain text: no C0 control characters but tab, line feed and carriage return (U+000B, Word's
  soft line break, becomes a line feed), no lone surrogates, no Unicode noncharacters. Feeds
  (XML), JSON, email and the app's tree can then carry any stored string.
- Rich text: the elements and attributes the field's editor features allow (Wagtail's own
  editor whitelist, applied to the database format: internal links and embeds keep their
  database attributes), so markup written by code, imports or the shell is what the editor
  could have written. Links keep only safe schemes (`safe_href`).
- URLs in URL fields: a safe scheme or a readable ValidationError on save.
"""

import functools
import json
import re

from django.core.exceptions import ValidationError
from django.db import models

from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.rich_text import features as feature_registry

import orjson

SAFE_HREF = re.compile(r"^(https?:|mailto:|tel:|/|#)", re.I)
SAFE_URL_SCHEMES = "https://, http://, mailto:, tel:, / or #"
LINE_BREAK = "\x0b"  # U+000B (vertical tab): what Word pastes for a soft line break
# A noncharacter the representation may use for its own marks (shapes.representation's
# STORED_ORIGIN): stored text never holds one, so a mark is never mistaken for text.
PLACEHOLDER = "\ufdd0"
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff"
_NONCHARACTERS = "\ufdd1-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
NOT_TEXT = re.compile(f"[{_CONTROLS}{PLACEHOLDER}{_NONCHARACTERS}]")
NOT_TEXT_BUT_PLACEHOLDER = re.compile(f"[{_CONTROLS}{_NONCHARACTERS}]")
# The same, in the UTF-8 JSON orjson writes: a control character as an escape (`\u000b`,
# `\b`, `\f`; tab, line feed and carriage return are text), a noncharacter as its bytes, a
# lone surrogate never (orjson refuses it). Text that merely looks like an escape matches too:
# it only sends the data the slow way.
_ESCAPED_CONTROL = rb"\\(?:u00(?:0[0-8bcef]|1[0-9a-fA-F])|[bf])"
_NONCHARACTER_BYTES = rb"\xef\xbf[\xbe\xbf]|[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]"
NOT_TEXT_IN_JSON = re.compile(
    rb"|".join([_ESCAPED_CONTROL, _NONCHARACTER_BYTES, rb"\xef\xb7[\x90-\xaf]"])
)
NOT_TEXT_BUT_PLACEHOLDER_IN_JSON = re.compile(
    rb"|".join([_ESCAPED_CONTROL, _NONCHARACTER_BYTES, rb"\xef\xb7[\x91-\xaf]"])
)
# Database-format attributes kept on internal links and embeds, by their type.
DB_LINK_ATTRIBUTES = {"page": ("id",), "document": ("id",)}
DB_EMBED_ATTRIBUTES = {"image": ("id", "format", "alt"), "media": ("url",)}
# Elements whose content is not text for a reader: dropped with it (any other unknown element
# keeps its text). The app's tree (pages.structured_text) drops the same.
DROPPED_WITH_CONTENT = {
    "script", "style", "template", "iframe", "object", "embed", "svg", "math", "noscript",
    "head", "title", "textarea", "select", "button",
}  # fmt: skip
# The editor (Draftail) keys each block it writes; comments on rich text are anchored to them.
KEYED_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote"}


def clean_text(value, line_break="\n", not_text=NOT_TEXT):
    """`value` without what is not text (see the module's docstring); U+000B becomes
    `line_break`. Anything but a str is returned as it is."""
    if not isinstance(value, str) or not_text.search(value) is None:
        return value
    return not_text.sub(lambda m: line_break if m.group() == LINE_BREAK else "", value)


def clean_data(value, keep_placeholder=False):
    """`clean_text` on every string inside JSON-like data (dicts, lists), keys included.
    `keep_placeholder`: PLACEHOLDER marks stay (data a representation built). Data that holds
    nothing to clean is returned as it is."""
    if holds_only_text(value, keep_placeholder):
        return value
    return clean_each(value, NOT_TEXT_BUT_PLACEHOLDER if keep_placeholder else NOT_TEXT)


def clean_each(value, not_text=NOT_TEXT):
    """`clean_data` string by string: a copy of `value` (tuples become lists)."""
    if isinstance(value, str):
        return clean_text(value, not_text=not_text)
    if isinstance(value, dict):
        return {
            clean_text(key, not_text=not_text): clean_each(child, not_text)
            for key, child in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_each(child, not_text) for child in value]
    return value


def holds_only_text(value, keep_placeholder=False):
    """Whether no string inside `value` holds anything `clean_data` removes: one pass of C code
    over its JSON instead of a Python call per string."""
    try:
        encoded = orjson.dumps(value, default=str)
    except TypeError:  # a lone surrogate, a key that is not a str: cleaned the slow way
        return False
    pattern = NOT_TEXT_BUT_PLACEHOLDER_IN_JSON if keep_placeholder else NOT_TEXT_IN_JSON
    return pattern.search(encoded) is None


def safe_href(href):
    """Whether `href` may be linked to (browsers ignore control characters and spaces inside a
    scheme, so they are ignored here too)."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", href or "")
    return bool(cleaned) and SAFE_HREF.match(cleaned) is not None


@functools.cache
def _whitelister_class():
    """Built on first use: Wagtail's admin converters import models, so not at import time."""
    from wagtail.admin.rich_text.converters.editor_html import DbWhitelister

    class StoredRichTextWhitelister(DbWhitelister):
        """Wagtail's editor whitelist for a set of features, applied to rich text in its
        database format (`<a linktype="page" id="3">`, `<embed embedtype="image" .../>`),
        where the editor's own whitelist expects the editor's format."""

        def __init__(self, converter_rules):
            super().__init__(converter_rules)
            if "a" in self.element_rules:  # external links: the project's safe schemes only
                self.element_rules["a"] = _external_link_rule

        def clean_tag_node(self, doc, tag):
            if tag.name == "a" and "linktype" in tag.attrs:
                for child in list(tag.contents):
                    self.clean_node(doc, child)
                _keep_database_attributes(tag, "linktype", DB_LINK_ATTRIBUTES, self.link_handlers)
            elif tag.name == "embed" and "embedtype" in tag.attrs:
                _keep_database_attributes(
                    tag, "embedtype", DB_EMBED_ATTRIBUTES, self.embed_handlers
                )
            elif tag.name in DROPPED_WITH_CONTENT:
                tag.decompose()
            else:
                block_key = tag.attrs.get("data-block-key") if tag.name in KEYED_BLOCKS else None
                super().clean_tag_node(doc, tag)
                if block_key and tag.parent is not None and tag.name in KEYED_BLOCKS:
                    tag["data-block-key"] = block_key[:40]

    return StoredRichTextWhitelister


def _keep_database_attributes(tag, type_attribute, kept_by_type, handlers):
    """An internal link or embed keeps its database attributes when its type is among the
    features' `handlers`; else a link keeps its text and an embed goes."""
    kind = tag.attrs.get(type_attribute)
    names = kept_by_type.get(kind) if kind in handlers else None
    if names is None or ("id" in names and not str(tag.get("id", "")).isdigit()):
        (tag.unwrap if tag.name == "a" else tag.decompose)()
        return
    if kind == "media" and not safe_href(tag.get("url")):
        tag.decompose()
        return
    kept = {type_attribute: kind, **{name: tag[name] for name in names if name in tag.attrs}}
    tag.attrs.clear()
    tag.attrs.update(kept)


def _external_link_rule(tag):
    """A link keeps a safe href and nothing else; without one, only its text stays."""
    href = tag.attrs.get("href")
    if not safe_href(href):
        tag.unwrap()
        return
    tag.attrs.clear()
    tag["href"] = href


@functools.lru_cache(maxsize=32)
def _whitelister(features):
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    return _whitelister_class()(EditorHTMLConverter(list(features)).converter_rules)


def _features_key(features):
    if features is None:
        features = feature_registry.get_default_features()
    return tuple(features)


@functools.lru_cache(maxsize=4096)
def _sanitized(html, features):
    return _whitelister(features).clean(html)


def sanitize_rich_text(html, features=None):
    """Database-format rich text holding only what an editor with `features` (None: Wagtail's
    default features) could have written, and only text (`clean_text`; U+000B becomes `<br/>`)."""
    if not html:
        return html or ""
    return _sanitized(clean_text(html, line_break="<br/>"), _features_key(features))


def clean_block_value(block, raw):
    """A StreamField block's raw (JSON) value with its text cleaned and its rich text
    sanitized to the block's features."""
    if isinstance(block, blocks.RichTextBlock):
        return sanitize_rich_text(raw, block.features) if isinstance(raw, str) else clean_data(raw)
    if isinstance(block, blocks.StreamBlock) and isinstance(raw, list):
        return [_clean_child(block.child_blocks, child) for child in raw]
    if isinstance(block, blocks.ListBlock) and isinstance(raw, list):
        return [
            {**item, "value": clean_block_value(block.child_block, item.get("value"))}
            if isinstance(item, dict) and item.get("type") == "item"
            else clean_block_value(block.child_block, item)
            for item in raw
        ]
    if isinstance(block, blocks.StructBlock) and isinstance(raw, dict):
        return {
            name: clean_block_value(block.child_blocks[name], value)
            if name in block.child_blocks
            else clean_data(value)
            for name, value in raw.items()
        }
    return clean_data(raw)


def _clean_child(child_blocks, child):
    if not isinstance(child, dict) or child.get("type") not in child_blocks:
        return clean_data(child)
    return {**child, "value": clean_block_value(child_blocks[child["type"]], child.get("value"))}


def stream_raw(field, value):
    """A StreamField's value (a StreamValue or raw list) as the raw JSON it is stored as."""
    if isinstance(value, list):
        return value
    raw = field.get_prep_value(value)
    return json.loads(raw) if isinstance(raw, str) else raw


def clean_stream(field, value):
    """A StreamField's value (a StreamValue, raw list or JSON string) as its cleaned raw list,
    or `value` itself when nothing in it changes."""
    raw = value
    if isinstance(value, str):
        try:
            raw = json.loads(value)
        except ValueError:
            return clean_text(value)
    else:
        raw = stream_raw(field, value)
    if not isinstance(raw, list):
        return value
    cleaned = clean_block_value(field.stream_block, raw)
    if cleaned == raw:
        return value
    return json.dumps(cleaned) if isinstance(value, str) else cleaned


def clean_field_value(field, value):
    """`value` of model field `field`, as it may be stored."""
    if value is None:
        return value
    if isinstance(field, RichTextField):
        return sanitize_rich_text(value, field.features)
    if isinstance(field, StreamField):
        return clean_stream(field, value)
    if isinstance(field, models.JSONField):
        return clean_data(value)
    if isinstance(value, str):
        return clean_text(value)
    return value


def check_url_fields(instance):
    """ValidationError naming each URL field of `instance` whose scheme is not safe to link to
    (a form checks this too; code, imports and the shell reach `save()` without a form)."""
    errors = {
        field.name: (
            f"“{value[:80]}” is not a safe link: links must start with {SAFE_URL_SCHEMES}."
        )
        for field in instance._meta.concrete_fields
        if isinstance(field, models.URLField)
        and (value := getattr(instance, field.attname))
        and not safe_href(value)
    }
    if errors:
        raise ValidationError(errors)


def clean_fields(instance):
    """Clean every text field of a model instance in place (its own row: child rows are saved,
    and cleaned, as rows of their own). Returns the names of the fields that changed."""
    changed = []
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        cleaned = clean_field_value(field, value)
        if cleaned is not value and cleaned != value:
            setattr(instance, field.attname, cleaned)
            changed.append(field.attname)
    return changed


def clean_instance(instance):
    """What every write path does to a row: `clean_fields`, then refuse unsafe URLs."""
    clean_fields(instance)
    check_url_fields(instance)


def clean_serialized(model, content):
    """A revision's content (`serializable_data()` of a `model` instance: its fields and, under
    each child relation's name, the child rows' own content) with every text cleaned."""
    fields = {field.name: field for field in model._meta.get_fields()}
    cleaned = {}
    for name, value in content.items():
        field = fields.get(name)
        if field is None or not (field.concrete or field.one_to_many):
            cleaned[name] = clean_data(value)
        elif field.one_to_many and isinstance(value, list):
            related = field.related_model
            cleaned[name] = [
                clean_serialized(related, row) if isinstance(row, dict) else clean_data(row)
                for row in value
            ]
        else:
            cleaned[name] = clean_field_value(field, value)
    return cleaned
