"""The email channel (docs/architecture.md, "Channels"): an item, or a campaign, as one HTML
document an email service provider (ESP) can send as it is, with its plain-text part and the
links it holds.

Built from what the API already serves: an item's stored web detail (api/serving/read_path.py, so
the same visibility checks at read time, no serializer run per request), a campaign's items'
stored details. Markup comes from templates/email/ only; this module chooses what goes in and
finishes the result, in this order:

1. each part of the content (title and summary, a body block, the safety information, the
   references, the disclaimer...) is rendered from templates/email/parts, sections and blocks;
   its links are made absolute, every link to the website gets UTM parameters (links elsewhere,
   such as references' DOIs, none), headings are levelled so none skips a level, and it is
   sanitized against an allowlist of email-safe tags and attributes (nh3): no script, style,
   form, comment or event attribute survives. Content is sanitized here, BEFORE the layout;
2. the sanitized parts go into the MJML layout (templates/email/mjml/), with the email brand
   (pages.models.EmailBrand: logo, clinic name, postal address, colours), and mjml-python
   (MRML, no Node, no web fonts) makes the responsive document: fluid from 320 to 600 px, with
   Outlook's conditional comments and the <style> blocks of its media queries and dark mode;
3. templates/email/email.css is inlined with css-inline (the <style> blocks stay);
4. what ESPs execute (`{{ }}`, `{% %}`, `*| |*`) is escaped wherever content can be: text and
   attributes, not the layout's <style> blocks or conditional comments (`escape_merge_syntax`);
5. only then the chosen ESP's own merge tag (the unsubscribe link) replaces its placeholder, so
   no sanitizing, tracking or escaping step can mangle it;
6. the plain-text part is written from the same parts: no Markdown, each URL on a line of its
   own after the block that links it, a blank line between blocks.

An item's email keeps its header, the therapy's safety information, the disclaimer and the
footer whole; when the body would take it past Gmail's clipping size (`CLIP_BYTES`), the body
ends early with a link to the page ("clipped").
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language_bidi, gettext

import css_inline
import nh3
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from lxml import etree
from lxml import html as lxml_html
from mjml import mjml2html

from api.http.params import Query
from api.http.problems import BadQuery
from pages.models import EmailBrand, Esp
from pages.models.email_brand import FOOTER_TEXT, UNSUBSCRIBE_LABEL
from pages.text_safety import clean_data, clean_text
from shapes import registry
from shapes.representation import absolute_media_url, website_home_url

# Gmail clips a message whose HTML passes about 102 KB: an email stays under this.
CLIP_BYTES = 100_000
WIDTH = 600  # px: the widest an email is laid out; it narrows to the screen below that
GUTTER = 24  # px: the content's padding on each side
COLUMN = WIDTH - 2 * GUTTER  # px: the widest a body image is shown
DENSITY = 2  # images are sourced at twice the width they are shown, for sharp screens
LOGO_WIDTH = 160  # px
TINT = "#f5f7fa"  # the safety information's, the callouts' and the footer's background
BRAND_CACHE_KEY = "email:brand"
BRAND_SECONDS = 60  # a brand saved in another process shows within this, where caches differ
VERSION = 3  # of the email shapes: part of their ETags (a deploy that changes them)

UTM_PARAMS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
UTM_MAX_LENGTH = 100
UTM_PATTERN = rf"^[A-Za-z0-9._~-]{{1,{UTM_MAX_LENGTH}}}$"  # safe in a URL as it is
UTM_SCHEMA = {"type": "string", "pattern": UTM_PATTERN, "maxLength": UTM_MAX_LENGTH}
UTM_DESCRIPTIONS = {
    "utm_source": "`utm_source` of every link to the website (default: email).",
    "utm_medium": "`utm_medium` of every link to the website (default: email).",
    "utm_campaign": "`utm_campaign` of every link to the website (default: the item's slug, or "
    "the campaign's UTM campaign name).",
    "utm_content": "`utm_content` of every link to the website (default: the slug of the item "
    "the link belongs to; `intro` and `call-to-action` for a campaign's own links).",
}

# Each ESP's unsubscribe merge tag: the ESP replaces it with the reader's own link when it sends.
UNSUBSCRIBE_TAGS = {
    Esp.MAILCHIMP: "*|UNSUB|*",
    Esp.BRAZE: "{{${unsubscribe_url}}}",
    Esp.KLAVIYO: "{% unsubscribe_url %}",
    Esp.ITERABLE: "{{unsubscribeUrl}}",
}
# Where the merge tag goes until the very last step (a URL every earlier step leaves alone).
UNSUBSCRIBE_PLACEHOLDER = "https://esp-merge-tag.invalid/unsubscribe"
NOT_LINKS = {UNSUBSCRIBE_PLACEHOLDER, *UNSUBSCRIBE_TAGS.values()}
ESP_PARAM = "esp"
ESP_SCHEMA = {"type": "string", "enum": list(Esp.values)}
ESP_DESCRIPTION = (
    "The email service provider whose unsubscribe merge tag the footer carries: "
    + ", ".join(f"`{esp}` (`{tag}`)" for esp, tag in UNSUBSCRIBE_TAGS.items())
    + ". Default: the campaign's ESP, else the email brand's default (Settings > Email brand; "
    "`mailchimp` until an administrator changes it)."
)
# What ESPs execute in what they send: Liquid and Django-style tags (Braze, Klaviyo, Iterable's
# Handlebars), Mailchimp's merge tags. Escaped in content whichever ESP sends it.
MERGE_SYNTAX = re.compile(r"[{}]|\*\||\|\*")
HTML_ESCAPES = {"{": "&#123;", "}": "&#125;", "*|": "*&#124;", "|*": "&#124;*"}
TEXT_SYNTAX = re.compile(r"\{\{|\{%|%\}|\}\}|\*\||\|\*")  # plain text: pairs only
LAYOUT_ONLY = re.compile(r"(<style\b.*?</style>|<!--.*?-->)", re.S | re.I)

TAGS = {
    *("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"),
    *("h1", "h2", "h3", "h4", "p", "br", "hr", "div", "span", "blockquote"),
    *("a", "img", "strong", "b", "em", "i", "u", "small", "sup", "sub", "abbr", "cite"),
    *("ul", "ol", "li", "dl", "dt", "dd"),
}
TABLE_ATTRIBUTES = {"role", "width", "cellpadding", "cellspacing", "border", "align", "class"}
CELL_ATTRIBUTES = {"width", "align", "valign", "class", "colspan", "rowspan"}
ATTRIBUTES = {
    "*": {"class", "lang", "dir"},
    "table": TABLE_ATTRIBUTES,
    "td": CELL_ATTRIBUTES,
    "th": CELL_ATTRIBUTES,
    "a": {"href", "title", "target"},
    "img": {"src", "width", "height", "alt"},
    "abbr": {"title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
HEADING = re.compile(r"^h([1-6])$")
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "dd", "dt", "blockquote", "div"}


def utm_values(request, defaults):
    """The UTM parameters of the request (None: the defaults alone), each overriding
    `defaults` (a dict naming some of UTM_PARAMS); 400 for a value other than 1 to 100
    letters, digits, '.', '_', '~' or '-'."""
    values = {"utm_source": "email", "utm_medium": "email", **defaults}
    errors = {}
    for name in UTM_PARAMS if request is not None else ():
        raw = request.query_params.get(name)
        if raw is None:
            continue
        if not re.fullmatch(UTM_PATTERN, raw):
            errors[name] = [
                f"Give 1 to {UTM_MAX_LENGTH} letters, digits, '.', '_', '~' or '-' "
                "(no spaces): e.g. spring-newsletter_2027."
            ]
        values[name] = raw
    if errors:
        raise BadQuery(errors)
    return values


def esp_of(request, default="", the_brand=None):
    """The ESP an email is written for: the request's `esp` (400 for an unknown one), else
    `default` (a campaign's own choice), else the email brand's default (`the_brand`: the
    request's `brand()`, when it has it already)."""
    raw = request.query_params.get(ESP_PARAM) if request is not None else None
    if raw is not None and raw not in Esp.values:
        raise BadQuery({ESP_PARAM: [f"Give one of: {', '.join(Esp.values)}."]})
    return raw or default or (the_brand or brand())["default_esp"]


def check_utm(request, also=(), esp=False, checks=()):
    """Before anything is answered: one 400 naming every invalid query parameter of a request
    that takes the UTM parameters, `esp` where `esp` (an email; a feed has no ESP), and the
    parameters `also` (read by `checks`, callables raising BadQuery)."""
    query = Query(request, {*UTM_PARAMS, *((ESP_PARAM,) if esp else ()), *also})
    query.check(lambda: utm_values(request, {}))
    if esp:
        query.check(lambda: esp_of(request, Esp.MAILCHIMP))
    for check in checks:
        query.check(check)
    query.done()


def utm_signature(utm):
    """The UTM values as a stable string, for the ETag of an answer whose links carry them."""
    return "&".join(f"{name}={utm.get(name, '')}" for name in UTM_PARAMS)


def tracked(url, utm):
    """`url` with the UTM parameters `utm` when it points at the website; unchanged otherwise
    (links elsewhere carry none)."""
    website = settings.WEBSITE_BASE_URL.rstrip("/")
    if not (url == website or url.startswith(website + "/") or url.startswith(website + "?")):
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in utm]
    query += [(name, utm[name]) for name in UTM_PARAMS if utm.get(name)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def absolute_href(href):
    """An href an email can follow: absolute (a relative one is on the website), or None for
    one that leads nowhere from an inbox (a fragment, an unknown scheme)."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    scheme = urlsplit(href).scheme.lower()
    if scheme in URL_SCHEMES:
        return href
    if scheme:
        return None
    return urljoin(settings.WEBSITE_BASE_URL.rstrip("/") + "/", href)


def link(url, utm):
    """A link the layout itself makes (a button, an image, the logo): absolute and tracked, or
    None for one that leads nowhere."""
    href = absolute_href(url)
    return tracked(href, utm) if href else None


def prepare(markup, utm, previous=0):
    """Links and images of rendered `markup` made absolute, website links tracked (an element's
    `data-utm-content` names the `utm_content` of the links inside it), headings levelled: no
    heading more than one level below the one before it (`previous`: the last level before
    this markup). Returns (markup, the last heading level)."""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    for anchor in list(root.iter("a")):
        href = absolute_href(anchor.get("href"))
        if href is None:
            anchor.drop_tag()  # its text stays, as text
            continue
        marked = next(
            (
                node.get("data-utm-content")
                for node in anchor.iterancestors()
                if node.get("data-utm-content")
            ),
            None,
        )
        anchor.set("href", tracked(href, {**utm, "utm_content": marked} if marked else utm))
    for image in list(root.iter("img")):
        src = (image.get("src") or "").strip()
        sized = image.get("width") and image.get("height")
        if not sized or not src.startswith(("http://", "https://", "/")) or src.startswith("//"):
            image.drop_tree()  # without its size it breaks Outlook's layout; data: and the like
            continue
        image.set("src", absolute_media_url(image.get("src")))
        image.set("alt", image.get("alt") or "")
    for node in root.iter():
        found = HEADING.match(node.tag) if isinstance(node.tag, str) else None
        if found:
            level = min(int(found.group(1)), previous + 1)
            node.tag, previous = f"h{level}", level
    for node in root.iter():
        node.attrib.pop("data-utm-content", None)
    return "".join(lxml_html.tostring(child, encoding="unicode") for child in root), previous


def sanitize(markup):
    """Only email-safe tags and attributes (script, style, forms, comments and event handlers
    go)."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
    )


def escape_merge_syntax(document):
    """`document` with `{`, `}`, `*|` and `|*` written as character references wherever
    content can be (text and attributes: a reader sees the same characters, an ESP finds no
    tag to run); the layout's <style> blocks and conditional comments are left as they are."""
    pieces = LAYOUT_ONLY.split(document)
    return "".join(
        piece if index % 2 else MERGE_SYNTAX.sub(lambda m: HTML_ESCAPES[m.group()], piece)
        for index, piece in enumerate(pieces)
    )


def escape_text(text):
    """Plain text (a subject, the text part) an ESP will not execute: a zero-width space
    breaks each delimiter, which a reader does not see."""
    return TEXT_SYNTAX.sub(lambda m: f"{m.group()[0]}\u200b{m.group()[1]}", text)


def with_merge_tag(text, esp):
    return text.replace(UNSUBSCRIBE_PLACEHOLDER, UNSUBSCRIBE_TAGS[esp])


@lru_cache(maxsize=16)
def inliner(css):
    """An inliner of `css` (the brand's email.css): MJML's own <style> blocks are left to the
    clients that read them (inlining its resets onto every cell made an email four times
    heavier), and kept."""
    return css_inline.CSSInliner(
        inline_style_tags=False,
        keep_style_tags=True,
        keep_link_tags=False,
        load_remote_stylesheets=False,
        extra_css=css,
    )


def brand():
    """The email brand of the default site (Settings > Email brand) as `brand_facts`, kept in
    the cache for BRAND_SECONDS (api/record/signals.py drops it when the brand is saved)."""
    from wagtail.models import Site

    facts = cache.get(BRAND_CACHE_KEY)
    if facts is None:
        brands = EmailBrand.objects.select_related("logo").prefetch_related("wordings")
        row = brands.filter(site__is_default_site=True).first()  # one query, usually
        if row is None:
            site = Site.objects.filter(is_default_site=True).first()
            row = EmailBrand.for_site(site) if site else EmailBrand()
        facts = brand_facts(row)
        cache.set(BRAND_CACHE_KEY, facts, BRAND_SECONDS)
    return facts


BRAND_FIELDS = (
    *("clinic_name", "postal_address", "footer_text", "unsubscribe_label", "default_esp"),
    *("accent_colour", "text_colour", "background_colour"),
)


WORDED_FIELDS = ("footer_text", "unsubscribe_label")


def brand_facts(row):
    """An EmailBrand as plain data for the templates (texts cleaned, the address as lines,
    the logo as a rendition twice the width it is shown, `wordings` its sentences in other
    languages)."""
    facts = {name: clean_text(getattr(row, name)) for name in BRAND_FIELDS}
    facts["wordings"] = {
        wording.language: {name: clean_text(getattr(wording, name)) for name in WORDED_FIELDS}
        for wording in (row.wordings.all() if row.pk else ())
    }
    facts["address_lines"] = [
        line.strip() for line in facts["postal_address"].splitlines() if line.strip()
    ]
    facts["logo"] = None
    if row.logo_id:
        rendition = row.logo.get_rendition(f"width-{LOGO_WIDTH * DENSITY}")
        width = min(LOGO_WIDTH, rendition.width)
        facts["logo"] = {
            "url": absolute_media_url(rendition.url),
            "width": width,
            "height": round(rendition.height * width / rendition.width),
        }
    return facts


def worded(the_brand, language):
    """`the_brand`'s facts with its sentences in `language`: in another language than the
    default, its wording for that language, the built-in wording (the message catalogue's)
    where it has none."""
    if language == settings.LANGUAGE_CODE:
        return the_brand
    wording = the_brand["wordings"].get(language, {})
    builtin = {"footer_text": FOOTER_TEXT, "unsubscribe_label": UNSUBSCRIBE_LABEL}
    with translation.override(language):
        return the_brand | {
            name: wording.get(name) or gettext(text) for name, text in builtin.items()
        }


def either(names):
    """'a, b or c' in the active language, each name in lower case."""
    names = [name.lower() for name in names]
    if len(names) < 2:
        return "".join(names)
    return gettext("%(some)s or %(last)s") % {"some": ", ".join(names[:-1]), "last": names[-1]}


def part(template, context, utm, previous=0):
    """One part of the content: rendered, prepared and sanitized. Returns (html, last heading
    level)."""
    markup, level = prepare(clean_text(render_to_string(template, context)), utm, previous)
    return sanitize(markup), level


TEXT_CONFIG = ParserConfig(display_links=False)


PART_BREAK = "\u241e"  # SYMBOL FOR RECORD SEPARATOR: between parts in one text conversion


def with_urls(markup):
    """`markup` with each link's URL on a line of its own after the last block that links to
    it (a URL that is the link's own text is not repeated)."""
    root = lxml_html.fragment_fromstring(markup or "<p></p>", create_parent="div")
    last_block = {}  # href -> the last block linking to it: a part prints each URL once
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if not href or " ".join(anchor.text_content().split()) == href:
            continue
        last_block[href] = next((n for n in anchor.iterancestors() if n.tag in BLOCKS), root)
    for href, block in last_block.items():
        etree.SubElement(block, "br").tail = href
    return (root.text or "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )  # the children only: inscriptis indents what a wrapping <div> holds


def texts_of(*markups):
    """The plain text of each part (HTML, or None): no Markdown, each URL on a line of its own
    after its block. One conversion for all of them (inscriptis costs most per call)."""
    joined = f"<p>{PART_BREAK}</p>".join(with_urls(markup) for markup in markups)
    text = get_text(joined, TEXT_CONFIG)
    lines = [line.rstrip() for line in text.splitlines()]
    pieces = "\n".join(lines).split(PART_BREAK)
    return [
        re.sub(r"\n{3,}", "\n\n", piece).strip() if markups[i] else ""
        for i, piece in enumerate(pieces)
    ]


def plain_text(*blocks):
    """Blocks of plain text, a blank line between each."""
    return "\n\n".join(block for block in blocks if block) + "\n"


def links_of(markup):
    """[{"url", "text"}] of every link in `markup`, in order (the ESP's unsubscribe link,
    a merge tag rather than a URL, is not one)."""
    root = lxml_html.fromstring(markup)
    return [
        {"url": anchor.get("href"), "text": " ".join(anchor.text_content().split())}
        for anchor in root.iter("a")
        if anchor.get("href") and anchor.get("href") not in NOT_LINKS
    ]


def size(markup):
    return len(markup.encode())


@dataclass
class Layout:
    """What every email's layout needs besides its content: the brand (worded in the email's
    `language`), the ESP, the UTM values of the layout's own links. Its documents are
    rendered in `language` (`speaking`): the labels the templates add are in it too."""

    brand: dict
    esp: str
    utm: dict
    language: str

    @classmethod
    def of(cls, the_brand, esp, utm, language=None):
        language = language or settings.LANGUAGE_CODE
        return cls(worded(the_brand or brand(), language), esp, utm, language)

    def speaking(self):
        return translation.override(self.language)

    def context(self, subject, preheader):
        return {
            "brand": self.brand,
            "subject": subject,
            "preheader": preheader,
            "lang": self.language,
            "dir": "rtl" if get_language_bidi() else "ltr",
            "width": WIDTH,
            "gutter": GUTTER,
            "footer_background": TINT,
            "home_url": link(website_home_url(self.language), self.utm),
            "unsubscribe": UNSUBSCRIBE_PLACEHOLDER,
        }

    def document(self, template, context):
        """The MJML `template` rendered with `context` → the finished HTML document (steps 2
        to 5 of the module's doc), placeholders still in: see `finish`."""
        mjml = render_to_string(template, context)
        laid_out = mjml2html(mjml, fonts={})
        css = render_to_string("email/email.css", {"brand": self.brand, "tint": TINT})
        return escape_merge_syntax(inliner(css).inline(laid_out))

    def header_text(self):
        return f"{self.brand['clinic_name']}\n{self.context('', '')['home_url']}"

    def footer_text(self):
        brand = self.brand
        return plain_text(
            "\n".join([brand["clinic_name"], *brand["address_lines"]]),
            brand["footer_text"],
            f"{brand['unsubscribe_label']}:\n{UNSUBSCRIBE_PLACEHOLDER}",
        ).strip()

    def finish(self, subject, preheader, html, text, **more):
        """The answer: subject, preheader and text escaped for ESPs, the merge tags put in."""
        return {
            "subject": escape_text(subject),
            "preheader": escape_text(preheader),
            "html": with_merge_tag(html, self.esp),
            "text": with_merge_tag(escape_text(text), self.esp),
            "links": links_of(html),
            **more,
        }


# Items ------------------------------------------------------------------------------------


def short_reference(reference):
    """'Cohen SP et al. Reg Anesth Pain Med, 2018.': enough to find it, short in an email."""
    authors = [name.strip() for name in (reference.get("authors") or "").split(",") if name]
    first = authors[0].removesuffix(" et al.").removesuffix(" et al") if authors else ""
    where = reference.get("journal") or reference.get("title") or ""
    where = where if len(where) <= 80 else where[:79].rstrip() + "…"
    many = len(authors) > 1 or "et al" in (reference.get("authors") or "")
    year = reference.get("year")
    name = f"{first}{' et al.' if many else '.'}" if first else ""
    return " ".join(bit for bit in (name, f"{where}, {year}." if year else f"{where}.") if bit)


class Citations:
    """One numbered list of every reference an email cites: the item's own first, then any the
    body or safety information cite besides."""

    def __init__(self, references):
        self.listed = []
        self.numbers = {}
        for reference in references:
            self.number(reference)

    def number(self, reference):
        key = reference.get("id") or reference.get("citation")
        if key not in self.numbers:
            self.listed.append({**reference, "short": short_reference(reference)})
            self.numbers[key] = len(self.listed)
        return self.numbers[key]

    def numbered(self, block):
        """A body block with its evidence as numbers into the list."""
        if block.get("type") != "evidence_claim":
            return block
        value = block["value"]
        numbers = sorted(self.number(reference) for reference in value.get("references") or [])
        return {**block, "value": {**value, "numbers": numbers}}


def email_image(value):
    """A body image as the email shows it: at most the column's width (its own width when
    smaller), sourced from a rendition at least twice as wide where there is one; None for an
    image without renditions."""
    renditions = value.get("renditions") or {}
    small, sharp = renditions.get("small"), renditions.get("medium") or renditions.get("small")
    if not small:
        return None
    width = min(small["width"], COLUMN)
    return {
        "src": sharp["url"],
        "width": width,
        "height": round(small["height"] * width / small["width"]),
    }


def hero_of(data, width=WIDTH):
    """The item's hero image `width` px wide, sourced twice as wide (its original format: not
    every email client shows webp), with its alt text; None without one."""
    image = data.get("hero_image")
    if not image:
        return None
    renditions = image["renditions"]
    small, sharp = renditions["small"], renditions.get("medium") or renditions["small"]
    return {
        "src": sharp["url"],
        "width": width,
        "height": round(small["height"] * width / small["width"]),
        "alt": image["alt"],
    }


def near_duplicate(text, summary):
    """Whether a text field only repeats the summary (the summary is shown once)."""

    def words(value):
        return " ".join(re.sub(r"<[^>]+>", " ", value or "").lower().split()).strip(" .")

    text, summary = words(text), words(summary)
    return bool(text) and bool(summary) and (text in summary or summary in text)


def item_sections(data, citations):
    """The clippable part of an item's email, as template contexts: one per body block (so a
    long body is cut between blocks), one per other field with something to show."""
    sections = []
    for section in registry.named(data["type"]).email_sections:
        value = data.get(section.field)
        if not value or (section.kind == "text" and near_duplicate(value, data.get("summary"))):
            continue
        if section.kind == "stream":
            sections += [
                {"kind": "block", "block": citations.numbered(block)}
                for block in value
                if block.get("type") != "image" or email_image(block["value"])
            ]
        else:
            sections.append({"kind": section.kind, "heading": section.heading, "value": value})
    for section in sections:
        if section["kind"] == "block" and section["block"]["type"] == "image":
            block = section["block"]
            section["block"] = {
                **block,
                "value": {**block["value"], "email": email_image(block["value"])},
            }
    return sections


def disclaimer_part(disclaimer, utm, previous):
    """The disclaimer as an email says it (its reviewed email wording where it has one)."""
    if not disclaimer:
        return None, previous
    worded = {**disclaimer, "text": disclaimer.get("email_text") or disclaimer["text"]}
    return part("email/parts/disclaimer.html", {"disclaimer": worded}, utm, previous)


def item_email(data, utm, esp, the_brand=None):
    """{"locale", "subject", "preheader", "html", "text", "links", "clipped"} of an item from
    its web detail `data`: `html` a complete document, in the item's language (`locale`)."""
    data = clean_data(data)  # whatever a stored copy holds, XML and HTML parsers can read
    layout = Layout.of(the_brand, esp, utm, data.get("locale"))
    with layout.speaking():
        return {"locale": layout.language, **item_document(data, layout)}


def item_document(data, layout):
    utm = layout.utm
    citations = Citations(data.get("references") or [])
    sections = item_sections(data, citations)
    safety = data.get("safety")
    source = safety.get("source") if safety else None
    source_number = citations.number(source) if source else None
    header, level = part(
        "email/parts/header.html",
        {"url": data["url"], "title": data["title"], "summary": data.get("summary")},
        utm,
    )
    rendered_sections = []
    for section in sections:
        markup, level = part(
            f"email/sections/{section['kind']}.html", {"section": section}, utm, level
        )
        rendered_sections.append(markup)
    safety_part = None
    if safety:
        safety_part, _ = part(
            "email/parts/safety.html", {"safety": safety, "source_number": source_number}, utm, 1
        )
    references = None
    if citations.listed:
        references, _ = part(
            "email/parts/references.html", {"references": citations.listed}, utm, 1
        )
    disclaimer, _ = disclaimer_part(data.get("disclaimer"), utm, 1)
    action = data.get("call_to_action")
    action = action and {"label": action["label"], "url": link(action["url"], utm)}
    action = action if action and action["url"] else None
    subject, preheader = data["title"], data.get("summary") or ""
    context = layout.context(subject, preheader) | {
        "hero": hero_of(data),
        "item_url": link(data["url"], utm),
        "action": action,
    }

    def parts_shown(count):
        shown = rendered_sections[:count]
        if count < len(rendered_sections):
            shown = [
                *shown,
                part("email/parts/clipped.html", {"url": data["url"], "title": data["title"]}, utm)[
                    0
                ],
            ]
        return {
            "header": header,
            "sections": shown,
            "safety": safety_part,
            "references": references,
            "disclaimer": disclaimer,
        }

    def rendered(count):
        return layout.document("email/mjml/item.mjml", {**context, "parts": parts_shown(count)})

    count = len(rendered_sections)
    markup = rendered(count)
    if size(markup) >= CLIP_BYTES:  # the most sections that fit, found by halving
        low, high = 0, count - 1
        while low < high:
            middle = (low + high + 1) // 2
            if size(rendered(middle)) < CLIP_BYTES:
                low = middle
            else:
                high = middle - 1
        count = low
        markup = rendered(count)
    shown = parts_shown(count)
    *before, safety_text, references_text, disclaimer_text = texts_of(
        header, *shown["sections"], safety_part, references, disclaimer
    )
    text = plain_text(
        layout.header_text(),
        *before,
        safety_text,
        f"{action['label']}:\n{action['url']}" if action else "",
        references_text,
        disclaimer_text,
        layout.footer_text(),
    )
    return layout.finish(subject, preheader, markup, text, clipped=count < len(rendered_sections))


# Campaigns --------------------------------------------------------------------------------


def teaser(item, utm, level):
    """One item of a campaign as its part of the email: `item` its list shape with the teaser
    applied, plus `page_title` (the page's own) and a therapy's reviewed `safety`."""
    tagged = {**utm, "utm_content": item["slug"]}
    if item.get("safety"):
        item = {
            **item,
            "not_for": either(c["name"] for c in item["safety"].get("contraindications") or ()),
        }
    markup, level = part("email/parts/teaser.html", {"item": item}, tagged, level)
    hero = hero_of(item, COLUMN)
    return {"html": markup, "hero": hero, "url": link(item["url"], tagged)}, level


def campaign_email(campaign, items, disclaimer, utm, esp, the_brand=None):
    """{"subject", "preheader", "html", "text", "links"} of a campaign: `campaign` a dict of its
    fields (subject, preheader, intro, call_to_action), `items` its public items (list shapes,
    teasers applied, each with its page's own `page_title` and a therapy's `safety`),
    `disclaimer` the default one's representation. The HTML is a complete document, in the
    campaign's `language`."""
    campaign, items, disclaimer = clean_data(campaign), clean_data(items), clean_data(disclaimer)
    layout = Layout.of(the_brand, esp, utm, campaign.get("language"))
    with layout.speaking():
        return campaign_body(campaign, items, disclaimer, layout)


def campaign_body(campaign, items, disclaimer, layout):
    utm = layout.utm
    header, level = part(
        "email/parts/campaign_header.html", {"campaign": campaign}, {**utm, "utm_content": "intro"}
    )
    teasers = []
    for item in items:
        shown, _ = teaser(item, utm, level)
        teasers.append(shown)
    action = campaign.get("call_to_action")
    action_utm = {**utm, "utm_content": "call-to-action"}
    action = action and {"label": action["label"], "url": link(action["url"], action_utm)}
    action = action if action and action["url"] else None
    disclaimer_html, _ = disclaimer_part(disclaimer, utm, 1)
    subject, preheader = campaign["subject"], campaign.get("preheader") or ""
    context = layout.context(subject, preheader) | {
        "teasers": teasers,
        "action": action,
        "parts": {"header": header, "disclaimer": disclaimer_html},
    }
    markup = layout.document("email/mjml/campaign.mjml", context)
    *before, disclaimer_text = texts_of(
        header, *(shown["html"] for shown in teasers), disclaimer_html
    )
    text = plain_text(
        layout.header_text(),
        *before,
        f"{action['label']}:\n{action['url']}" if action else "",
        disclaimer_text,
        layout.footer_text(),
    )
    return layout.finish(subject, preheader, markup, text)
