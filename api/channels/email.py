"""The email channel (docs/architecture.md, "Channels"): an item, or a campaign, as HTML an
email service provider (ESP) can send as it is, with its plain-text part and the links it holds.

Built from what the API already serves: an item's stored web detail (api/serving/read_path.py, so
the same visibility checks at read time, no serializer run per request), a campaign's items' stored
list shapes. Markup comes from templates/email/ only; this module chooses what goes in and
finishes the result:

1. the template renders the sections chosen here (plain data, no markup);
2. links are made absolute and every link to the website gets UTM parameters (links elsewhere,
   such as references' DOIs, none); headings are levelled so none skips a level;
3. the HTML is sanitized against an allowlist of email-safe tags and attributes (nh3): no
   script, style, form or event attribute survives;
4. CSS (templates/email/email.css) is inlined with css-inline (remote stylesheets off);
5. the plain-text part (inscriptis, links kept as URLs) and the list of links are read from the
   result.

An item's email keeps its header, the therapy's safety information and the disclaimer whole;
when the body would take it past Gmail's clipping size (`CLIP_BYTES`), the body ends early with
a link to the page ("clipped").
"""

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.template.loader import render_to_string

import css_inline
import nh3
from inscriptis import get_text
from inscriptis.model.config import ParserConfig
from lxml import html as lxml_html

from api.http.params import Query
from api.http.problems import BadQuery
from pages.text_safety import clean_data, clean_text
from shapes import registry
from shapes.representation import absolute_media_url

# Gmail clips a message whose HTML passes about 102 KB; what a fragment adds in the ESP's
# template must fit too, so an item's fragment stays under this.
CLIP_BYTES = 100_000
WIDTH = 600  # px: the widest an email template is laid out
VERSION = 1  # of the email shapes: part of their ETags (a deploy that changes them)

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


def check_utm(request, also=()):
    """Before anything is answered: one 400 naming every invalid query parameter of a request
    that takes the UTM parameters (and the parameters `also`)."""
    query = Query(request, {*UTM_PARAMS, *also})
    query.check(lambda: utm_values(request, {}))
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


def prepare(markup, utm):
    """Links and images of rendered `markup` made absolute, website links tracked (an element's
    `data-utm-content` names the `utm_content` of the links inside it), headings levelled: no
    heading more than one level below the one before it."""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    for link in list(root.iter("a")):
        href = absolute_href(link.get("href"))
        if href is None:
            link.drop_tag()  # its text stays, as text
            continue
        marked = next(
            (
                node.get("data-utm-content")
                for node in link.iterancestors()
                if node.get("data-utm-content")
            ),
            None,
        )
        link.set("href", tracked(href, {**utm, "utm_content": marked} if marked else utm))
    for image in list(root.iter("img")):
        src = (image.get("src") or "").strip()
        sized = image.get("width") and image.get("height")
        if not sized or not src.startswith(("http://", "https://", "/")) or src.startswith("//"):
            image.drop_tree()  # without its size it breaks Outlook's layout; data: and the like
            continue
        image.set("src", absolute_media_url(image.get("src")))
        image.set("alt", image.get("alt") or "")
    previous = 0
    for node in root.iter():
        found = HEADING.match(node.tag) if isinstance(node.tag, str) else None
        if found:
            level = min(int(found.group(1)), previous + 1)
            node.tag, previous = f"h{level}", level
    for node in root.iter():
        node.attrib.pop("data-utm-content", None)
    return "".join(lxml_html.tostring(child, encoding="unicode") for child in root)


def sanitize(markup):
    """Only email-safe tags and attributes (script, style, forms and event handlers go)."""
    return nh3.clean(
        markup,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
    )


def inline(markup):
    inliner = css_inline.CSSInliner(
        load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False
    )
    return inliner.inline_fragment(markup, render_to_string("email/email.css"))


def finish(markup, utm):
    """Rendered template output → the HTML an ESP sends (steps 2 to 4 of the module's doc)."""
    return inline(sanitize(prepare(clean_text(markup), utm)))


def links_of(markup):
    """[{"url", "text"}] of every link in `markup`, in order."""
    root = lxml_html.fragment_fromstring(markup, create_parent="div")
    return [
        {"url": link.get("href"), "text": " ".join(link.text_content().split())}
        for link in root.iter("a")
        if link.get("href")
    ]


TEXT_CONFIG = ParserConfig(display_links=True)


def text_of(markup):
    """The plain-text alternative: the same content, links kept as URLs."""
    text = get_text(markup, TEXT_CONFIG)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def size(markup):
    return len(markup.encode())


def item_sections(data):
    """The clippable part of an item's email, as template contexts: one per body block (so a
    long body is cut between blocks), one per other field with something to show."""
    sections = []
    for section in registry.named(data["type"]).email_sections:
        value = data.get(section.field)
        if not value:
            continue
        if section.kind == "stream":
            sections += [{"kind": "block", "block": block} for block in value]
        else:
            sections.append({"kind": section.kind, "heading": section.heading, "value": value})
    return sections


def hero_of(data):
    """The 600 px rendition of the item's hero image (its original format: not every email
    client shows webp), with its alt text; None without one."""
    image = data.get("hero_image")
    if not image:
        return None
    small = image["renditions"]["small"]
    return {
        "url": small["url"],
        "width": small["width"],
        "height": small["height"],
        "alt": image["alt"],
    }


def item_email(data, utm):
    """{"subject", "preheader", "html", "text", "links", "clipped"} of an item from its web
    detail `data`: the HTML a fragment (one outer table) for an ESP's template."""
    data = clean_data(data)  # whatever a stored copy holds, XML and HTML parsers can read
    sections = item_sections(data)
    context = {
        "item": data,
        "hero": hero_of(data),
        "safety": data.get("safety"),
        "call_to_action": data.get("call_to_action"),
        "references": data.get("references") or [],
        "disclaimer": data.get("disclaimer"),
        "width": WIDTH,
    }

    def rendered(count):
        return finish(
            render_to_string(
                "email/item.html",
                {**context, "sections": sections[:count], "clipped": count < len(sections)},
            ),
            utm,
        )

    markup, shown = rendered(len(sections)), len(sections)
    if size(markup) >= CLIP_BYTES:  # the most sections that fit, found by halving
        low, high = 0, len(sections) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if size(rendered(middle)) < CLIP_BYTES:
                low = middle
            else:
                high = middle - 1
        markup, shown = rendered(low), low
    return {
        "subject": data["title"],
        "preheader": data.get("summary") or "",
        "html": markup,
        "text": text_of(markup),
        "links": links_of(markup),
        "clipped": shown < len(sections),
    }


def teaser(item):
    """An item of a campaign (its list shape, teaser overrides applied) as the template needs."""
    return {**item, "hero": hero_of(item)}


def campaign_email(campaign, items, disclaimer, utm):
    """{"subject", "preheader", "html", "text", "links"} of a campaign: `campaign` a dict of its
    fields (subject, preheader, intro, call_to_action), `items` its public items (list shapes,
    teasers applied), `disclaimer` the default one's {"text", "emergency_text"}. The HTML is a
    complete document: doctype, a hidden preheader, a 600 px table layout, CSS inlined, the
    disclaimer at its foot."""
    campaign, items, disclaimer = clean_data(campaign), clean_data(items), clean_data(disclaimer)
    body = finish(
        render_to_string(
            "email/campaign_body.html",
            {
                "campaign": campaign,
                "items": [teaser(item) for item in items],
                "action": campaign.get("call_to_action"),
                "disclaimer": disclaimer,
                "width": WIDTH,
            },
        ),
        utm,
    )
    document = render_to_string(
        "email/campaign.html",
        {"subject": campaign["subject"], "preheader": campaign["preheader"], "body": body},
    )
    return {
        "subject": campaign["subject"],
        "preheader": campaign["preheader"],
        "html": document,
        "text": text_of(body),
        "links": links_of(body),
    }
