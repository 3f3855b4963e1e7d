"""Rich text as a tree of nodes, for clients that render natively (the app channel): the same
content as the website's HTML (shapes.representation.resolve_rich_text), but no markup to parse.

    [{"type": "paragraph", "children": [
        {"type": "text", "text": "Ketamine ", "marks": []},
        {"type": "text", "text": "blocks NMDA receptors", "marks": ["bold"]},
        {"type": "link", "href": "https://www.../conditions/neuropathic-pain/",
         "target": {"id": 3, "type": "condition", "slug": "neuropathic-pain",
                    "api_url": "https://api.../api/v1/conditions/neuropathic-pain/"},
         "children": [{"type": "text", "text": "neuropathic pain", "marks": []}]}]}]

Nodes: paragraph, heading (`level` 2 to 6), list (`ordered`), list_item, text (`marks`: bold,
italic), link (`href`; `target` names the public item an internal link points at, else null),
line_break. Everything else is dropped: an unknown element keeps its text, a script, style or
embedded object loses it too, and a link without a safe href keeps only its text (the HTML it
reads has unsafe hrefs removed already; the tree checks again, however the attribute was
quoted). shapes/schema.py documents the same nodes.
"""

from html.parser import HTMLParser

from pages.text_safety import DROPPED_WITH_CONTENT, PLACEHOLDER, safe_href

HEADINGS = {f"h{level}": level for level in range(1, 7)}
MARKS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic"}
LISTS = {"ul": False, "ol": True}  # tag: ordered
VOID = {"br", "img", "hr", "input", "wbr", "source", "meta", "link", "area", "col", "embed"}
# Elements that hold blocks (their content is read as blocks, not as a run of text).
CONTAINERS = {"div", "section", "article", "blockquote", "figure", "main", "header", "footer"}
NODE_TYPES = ["paragraph", "heading", "list", "list_item", "text", "link", "line_break"]
MARK_TYPES = ["bold", "italic"]


def rich_text_tree(html, link_target=None):
    """The nodes of resolved client HTML. `link_target(href, page_id, attributes)` returns the
    `target` of a link (None for none); `page_id` is the `data-page-id` attribute that
    resolve_rich_text(..., mark_pages=True) leaves on internal links, else None; `attributes`
    the link's (a document link's `data-document-id`...)."""
    parser = _ElementParser()
    parser.feed(html or "")
    parser.close()
    return _Converter(link_target or (lambda href, page_id, attributes: None)).blocks(
        parser.root[2]
    )


class _ElementParser(HTMLParser):
    """HTML as nested (tag, attributes, children) with text as str; unclosed elements close
    with their parent, stray end tags are ignored."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ("", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        self.stack[-1][2].append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1][2].append((tag, dict(attrs), []))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1][2].append(data)


def _is_block(node):
    return not isinstance(node, str) and (
        node[0] in HEADINGS or node[0] in LISTS or node[0] in CONTAINERS or node[0] in ("p", "li")
    )


class _Converter:
    def __init__(self, link_target):
        self.link_target = link_target

    def blocks(self, children):
        """Block nodes; runs of inline content between blocks become paragraphs."""
        found, run = [], []

        def flush():
            inline = self.inline(run, ())
            if _has_text(inline):
                found.append({"type": "paragraph", "children": inline})
            run.clear()

        for child in children:
            if not _is_block(child):
                run.append(child)
                continue
            flush()
            tag, _, grandchildren = child
            if tag in HEADINGS:
                found.append(self.textual("heading", grandchildren, level=HEADINGS[tag]))
            elif tag == "p":
                found.append(self.textual("paragraph", grandchildren))
            elif tag in LISTS:
                found.append(self.list_node(tag, grandchildren))
            elif tag == "li":  # an item outside a list: a list of its own
                found.append({"type": "list", "ordered": False, "children": [self.item(child)]})
            else:  # a container: its blocks
                found.extend(self.blocks(grandchildren))
        flush()
        return [node for node in found if node["children"]]

    def textual(self, kind, children, **attributes):
        return {"type": kind, **attributes, "children": self.inline(children, ())}

    def list_node(self, tag, children):
        items = []
        for child in children:
            if isinstance(child, str):
                if child.strip():
                    items.append({"type": "list_item", "children": self.inline([child], ())})
            elif child[0] == "li":
                items.append(self.item(child))
            elif child[0] in LISTS and items:  # a list nested without its item
                items[-1]["children"].append(self.list_node(*child[::2]))
            elif child[0] not in DROPPED_WITH_CONTENT:
                items.append(self.item(("li", {}, child[2])))
        return {"type": "list", "ordered": LISTS[tag], "children": items}

    def item(self, element):
        """A list item: inline content and nested lists."""
        nodes, run = [], []
        for child in element[2]:
            if not isinstance(child, str) and child[0] in LISTS:
                nodes.extend(self.inline(run, ()))
                run.clear()
                nodes.append(self.list_node(child[0], child[2]))
            else:
                run.append(child)
        nodes.extend(self.inline(run, ()))
        return {"type": "list_item", "children": _merged(nodes)}

    def inline(self, children, marks):
        """Inline nodes of `children` with `marks` applied to their text."""
        nodes = []
        for child in children:
            if isinstance(child, str):
                nodes.append({"type": "text", "text": child, "marks": list(marks)})
                continue
            tag, attributes, grandchildren = child
            if tag in DROPPED_WITH_CONTENT:
                continue
            if tag == "br":
                nodes.append({"type": "line_break"})
            elif tag in MARKS:
                mark = MARKS[tag]
                added = marks if mark in marks else sorted({*marks, mark}, key=MARK_TYPES.index)
                nodes.extend(self.inline(grandchildren, tuple(added)))
            elif tag == "a" and safe_href(_unmarked((attributes.get("href") or "").strip())):
                nodes.append(self.link(attributes, grandchildren, marks))
            else:  # unknown, or a block inside inline content: its text only
                nodes.extend(self.inline(grandchildren, marks))
        return _merged(nodes)

    def link(self, attributes, children, marks):
        href = attributes["href"].strip()
        page_id = attributes.get("data-page-id") or ""
        page_id = int(page_id) if page_id.isdigit() else None
        inner = [node for node in self.inline(children, marks) if node["type"] != "link"]
        return {
            "type": "link",
            "href": href,
            "target": self.link_target(href, page_id, attributes),
            "children": inner,
        }


def _unmarked(href):
    """`href` without the representation's origin mark (a link to a document or media file on
    this service, stored as PLACEHOLDER + path: shapes.representation.STORED_ORIGIN)."""
    return href.removeprefix(PLACEHOLDER)


def _merged(nodes):
    """Adjacent text with the same marks as one text node; empty text dropped."""
    merged = []
    for node in nodes:
        if node["type"] == "text":
            if not node["text"]:
                continue
            last = merged[-1] if merged else None
            if last and last["type"] == "text" and last["marks"] == node["marks"]:
                last["text"] += node["text"]
                continue
            node = dict(node)
        merged.append(node)
    return merged


def _has_text(nodes):
    return any(node["type"] != "text" or node["text"].strip() for node in nodes)
