"""Rich text as a tree of nodes for the app channel (pages/structured_text.py): every node the
seed and generated content produce is one of the documented types, internal links name their
target, and unsafe or unknown markup never passes through, whatever the HTML."""

from urllib.parse import urlsplit

from django.core.management import call_command

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages.structured_text import MARK_TYPES, NODE_TYPES, rich_text_tree
from shapes.representation import resolve_rich_text

INLINE = {"text", "link", "line_break"}
BLOCKS = {"paragraph", "heading", "list"}


def check_nodes(nodes, allowed, found):
    """Assert `nodes` follow the grammar shapes/schema.py documents; collect their types."""
    assert isinstance(nodes, list)
    for node in nodes:
        kind = node["type"]
        assert kind in NODE_TYPES and kind in allowed, (kind, allowed)
        found.add(kind)
        if kind == "text":
            assert set(node) == {"type", "text", "marks"} and node["text"]
            assert node["marks"] == [m for m in MARK_TYPES if m in node["marks"]]
        elif kind == "line_break":
            assert set(node) == {"type"}
        elif kind in ("paragraph", "heading"):
            assert set(node) == {"type", "children"} | ({"level"} if kind == "heading" else set())
            assert kind == "paragraph" or 1 <= node["level"] <= 6
            check_nodes(node["children"], INLINE, found)
        elif kind == "list":
            assert set(node) == {"type", "ordered", "children"}
            assert isinstance(node["ordered"], bool)
            check_nodes(node["children"], {"list_item"}, found)
        elif kind == "list_item":
            check_nodes(node["children"], INLINE | {"list"}, found)
        elif kind == "link":
            assert set(node) == {"type", "href", "target", "children"}
            assert node["href"].startswith(("http://", "https://", "mailto:", "tel:", "#"))
            target = node["target"]
            assert target is None or set(target) == {"id", "type", "slug", "api_url"}
            check_nodes(node["children"], {"text", "line_break"}, found)
    return found


def tree_of(html):
    nodes = rich_text_tree(resolve_rich_text(html, mark_pages=True))
    check_nodes(nodes, BLOCKS, set())
    return nodes


def plain(nodes):
    return "".join(node.get("text", "") + plain(node.get("children", [])) for node in nodes)


def test_each_node_type():
    html = (
        "<h3>How it <i>works</i></h3><p>A <b>bold</b> and <b><i>both</i></b> run<br/>on two "
        'lines, <a href="https://example.org/x">a link</a>.</p>'
        "<ol><li>one<ul><li>nested</li></ul></li><li>two</li></ol>"
    )
    nodes = tree_of(html)
    assert [node["type"] for node in nodes] == ["heading", "paragraph", "list"]
    heading, paragraph, numbered = nodes
    assert heading["level"] == 3
    assert heading["children"][1] == {"type": "text", "text": "works", "marks": ["italic"]}
    marks = [child.get("marks") for child in paragraph["children"] if child["type"] == "text"]
    assert ["bold"] in marks and ["bold", "italic"] in marks
    assert {"type": "line_break"} in paragraph["children"]
    link = next(child for child in paragraph["children"] if child["type"] == "link")
    assert link["href"] == "https://example.org/x" and link["target"] is None
    assert numbered["ordered"] is True
    assert numbered["children"][0]["children"][1]["type"] == "list"


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="javascript:alert(1)">click</a></p>',
        '<p><a href=" JavaScript:alert(1)">click</a></p>',
        '<p><a href="data:text/html,<script>x</script>">click</a></p>',
        "<p>click<script>alert(1)</script><style>p{}</style><iframe src=x>y</iframe></p>",
        '<p><img src=x onerror=alert(1)>click</p><object data="x">z</object>',
    ],
)
def test_unsafe_markup_is_dropped(html):
    nodes = tree_of(html)
    assert plain(nodes) == "click"
    assert "link" not in str(nodes) and "alert" not in str(nodes)


def test_unknown_elements_keep_their_text():
    nodes = tree_of("<div><span class=x>kept</span> <u>too</u></div><blockquote>q</blockquote>")
    assert plain(nodes) == "kept tooq"


TAGS = ["p", "h2", "h4", "ul", "ol", "li", "b", "i", "strong", "em", "a", "span", "div", "br",
        "script", "style", "table", "td", "img", "u"]  # fmt: skip
HREFS = ["https://example.org/", "javascript:alert(1)", "data:x", "/media/doc.pdf", "#top",
         "mailto:a@b.test", "vbscript:x", ""]  # fmt: skip


@st.composite
def html_fragments(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth > 3 or draw(st.booleans()):
            parts.append(draw(st.sampled_from(["text", "more words", " ", "&amp; <", "x&lt;y"])))
            continue
        tag = draw(st.sampled_from(TAGS))
        attrs = f' href="{draw(st.sampled_from(HREFS))}"' if tag == "a" else ""
        inner = draw(html_fragments(depth + 1))
        closed = draw(st.booleans())
        parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if closed else ""))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(html_fragments())
def test_any_html_becomes_a_valid_tree(html):
    nodes = tree_of(html)
    assert "javascript" not in str(nodes) and "vbscript" not in str(nodes)
    assert "data:" not in str(nodes)


def app_nodes(client, path, found):
    response = client.get(path, {"channel": "app"})
    assert response.status_code == 200, path
    data = response.json()
    walk(data, found, client)


def walk(value, found, client):
    """Check every rich-text tree in a response: a list of dicts with a node `type`."""
    if isinstance(value, list):
        nodes = all(
            isinstance(v, dict) and v.get("type") in BLOCKS and "children" in v for v in value
        )
        if value and nodes:
            check_nodes(value, BLOCKS, found)
            for link in links_in(value):
                if link["target"] is not None:
                    target = client.get(urlsplit(link["target"]["api_url"]).path)
                    assert target.status_code == 200, link
                    assert target.json()["id"] == link["target"]["id"]
                    found.add("internal link")
            return
        for item in value:
            walk(item, found, client)
    elif isinstance(value, dict):
        for item in value.values():
            walk(item, found, client)


def links_in(nodes):
    for node in nodes:
        if node["type"] == "link":
            yield node
        yield from links_in(node.get("children", []))


@pytest.mark.django_db
def test_seed_and_generated_rich_text_as_trees(seeded, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_content", "--conditions", "6", verbosity=0)
    found = set()
    for collection in ("conditions", "causes", "treatments", "therapies"):
        listing = client.get(f"/api/v1/{collection}/", {"limit": 100, "channel": "app"}).json()
        for item in listing["results"]:
            app_nodes(client, f"/api/v1/{collection}/{item['slug']}/", found)
    # what the content has: every kind of block and inline node editors' rich text produces
    assert {"paragraph", "text", "link", "internal link"} <= found
