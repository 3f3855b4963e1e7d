"""What stored text may hold (pages/text_safety.py), decided on every write path: a row's
save(), a revision (the admin writes live pages' edits only so), the bulk seed and generator,
and the data migration for what was stored before."""

import importlib

from django.apps import apps
from django.core.exceptions import ValidationError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pages.models import Campaign, Reference, TherapyPage
from pages.text_safety import (
    NOT_TEXT,
    NOT_TEXT_BUT_PLACEHOLDER,
    PLACEHOLDER,
    clean_data,
    clean_each,
    clean_text,
    safe_href,
    sanitize_rich_text,
)

SEED_ONCE = True  # every database test here reads the seed (tests/conftest.py)

HOSTILE_HTML = [
    "<p>x<script>alert(1)</script></p>",
    "<p><img src=x onerror=alert(2)>y</p>",
    "<p><a href='javascript:alert(3)'>single</a></p>",
    "<p><a href=javascript:alert(4)>unquoted</a></p>",
    '<p><a href=" JaVaScRiPt:alert(5)">spaced</a></p>',
    '<p><a href="jav&#x09;ascript:alert(6)">entity</a></p>',
    '<p onclick="alert(7)" style="x">styled</p><iframe src="https://evil.test"></iframe>',
    '<p><a linktype="page" id="1 onmouseover=alert(8)">odd id</a></p>',
    '<embed embedtype="media" url="javascript:alert(9)"/>',
    "<svg><script>alert(10)</script></svg><math>m</math>",
]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_text_leaves_only_text_and_is_idempotent(text):
    cleaned = clean_text(text)
    assert NOT_TEXT.search(cleaned) is None
    assert clean_text(cleaned) == cleaned
    cleaned.encode("utf-8")  # no lone surrogate survives


def test_a_soft_line_break_becomes_a_line_break_and_controls_go():
    assert clean_text("one\x0btwo\x01\x00three\tfour\r\n") == "one\ntwothree\tfour\r\n"
    assert clean_text("a\ud800b\ufffec\U0010ffff") == "abc"
    assert clean_text(f"x{PLACEHOLDER}y") == "xy"  # the representation's own mark is never text
    assert clean_data({"k\x01": ["v\x0b", 3, None]}) == {"k": ["v\n", 3, None]}


# Text with what is not text among it: controls (those JSON writes as \b, \f, \u00..), a lone
# surrogate, noncharacters, the placeholder, and backslashes that look like escapes.
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"ab\\u0f\t\n\r", *map(chr, range(32)), "\ud800", "\ufdd0", "\ufdd1"]
        + ["\ufdef", "\ufffe", "\U0001fffe", "\U0010ffff"]
    )
    | st.characters(),
    max_size=12,
)
JSON_LIKE = st.recursive(
    HOSTILE_TEXT | st.integers() | st.none() | st.booleans(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4)
    ),
    max_leaves=20,
)


NOT_TEXT_CHARACTERS = [
    *map(chr, range(32)),
    *map(chr, range(0xFDD0, 0xFDF0)),
    *(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF)),
]


@pytest.mark.parametrize("keep_placeholder", [False, True])
def test_clean_data_finds_every_character_that_is_not_text(keep_placeholder):
    not_text = NOT_TEXT_BUT_PLACEHOLDER if keep_placeholder else NOT_TEXT
    for character in NOT_TEXT_CHARACTERS:
        for value in ([f"a{character}b"], {f"k{character}": 1}):
            assert clean_data(value, keep_placeholder) == clean_each(value, not_text), character


@settings(max_examples=300, database=None)
@given(value=JSON_LIKE, keep_placeholder=st.booleans())
def test_clean_data_cleans_as_string_by_string_does(value, keep_placeholder):
    """The one-pass check (pages.text_safety.holds_only_text) never lets through what cleaning
    each string would have changed."""
    not_text = NOT_TEXT_BUT_PLACEHOLDER if keep_placeholder else NOT_TEXT
    assert clean_data(value, keep_placeholder) == clean_each(value, not_text)


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_rich_text_keeps_only_what_the_editor_could_write(html):
    cleaned = sanitize_rich_text(html)
    lowered = cleaned.lower()
    for bad in (
        "<script",
        "alert",
        "onerror",
        "onclick",
        "javascript",
        "<iframe",
        "style=",
        "<svg",
    ):
        assert bad not in lowered, (html, cleaned)
    assert sanitize_rich_text(cleaned) == cleaned


def test_rich_text_in_the_database_format_keeps_its_links_and_embeds():
    html = (
        '<h3 data-block-key="k1">Head</h3><p data-block-key="k2">See <a linktype="page" id="3">'
        'this</a>, <a linktype="document" id="4">that</a> and <a href="https://e.test/?a=1&amp;b'
        '=2">there</a>.</p><embed alt="A" embedtype="image" format="left" id="5"/>'
    )
    cleaned = sanitize_rich_text(html)
    kept = ['data-block-key="k1"', 'linktype="page"', 'id="3"', 'linktype="document"',
            'href="https://e.test/?a=1&amp;b=2"', 'embedtype="image"', 'format="left"']  # fmt: skip
    assert [attribute for attribute in kept if attribute not in cleaned] == []
    assert sanitize_rich_text(cleaned) == cleaned


def test_rich_text_keeps_only_the_features_its_field_allows():
    assert sanitize_rich_text("<h2>Big</h2><p><b>b</b></p>", ["italic"]) == "Big<p>b</p>"


def test_safe_hrefs():
    assert all(map(safe_href, ["https://x.test", "http://x", "mailto:a@b", "tel:1", "/p", "#a"]))
    unsafe = [
        "javascript:x",
        " javascript:x",
        "java\tscript:x",
        "data:text/html,x",
        "vbscript:x",
        "",
    ]
    assert not any(map(safe_href, [*unsafe, ""]))


@pytest.fixture
def therapy(seeded):
    return TherapyPage.objects.get(slug="ketamine-infusion-therapy")


def test_save_cleans_every_text_field_and_the_rich_text(therapy):
    therapy.summary = "Soft\x0bbreak\x01 pasted from Word"
    therapy.mechanism_of_action = "<p>Blocks<script>alert(1)</script> NMDA</p>"
    therapy.save()
    therapy.refresh_from_db()
    assert therapy.summary == "Soft\nbreak pasted from Word"
    assert therapy.mechanism_of_action == "<p>Blocks NMDA</p>"


def test_a_revision_is_cleaned_before_it_is_stored_and_published(therapy):
    therapy.title = "Ketamine\x0b infusions"
    therapy.body = [("paragraph", "<p>Body<img src=x onerror=alert(1)></p>")]
    revision = therapy.save_revision()
    assert revision.content["title"] == "Ketamine\n infusions"
    assert "onerror" not in str(revision.content["body"])
    revision.publish()
    therapy.refresh_from_db()
    assert therapy.title == "Ketamine\n infusions"
    assert "onerror" not in therapy.body.raw_data[0]["value"]


def test_inline_rows_are_cleaned_in_the_revision_too(therapy):
    content = therapy.serializable_data()
    from pages.text_safety import clean_serialized

    relation = next(name for name, value in content.items() if isinstance(value, list) and value)
    content[relation][0] = {**content[relation][0], "note": "n\x01ote"}
    cleaned = clean_serialized(TherapyPage, content)
    assert cleaned[relation][0]["note"] == "note"


def test_an_unsafe_url_saved_without_a_form_is_refused_with_a_readable_error(seeded):
    reference = Reference.objects.first()
    reference.url = "javascript:alert(1)"
    with pytest.raises(ValidationError) as refused:
        reference.save()
    assert "url" in refused.value.message_dict
    assert "safe link" in refused.value.message_dict["url"][0]
    reference.refresh_from_db()
    assert not reference.url.startswith("javascript")


def test_a_url_with_a_control_character_is_stored_without_it(seeded):
    reference = Reference.objects.first()
    reference.url = "https://example.org/a\x01b"
    reference.save()
    reference.refresh_from_db()
    assert reference.url == "https://example.org/ab"


def test_a_campaign_subject_is_cleaned(seeded):
    campaign = Campaign(name="C\x0b", slug="c", subject="Subject\x01 line")
    campaign.save()
    campaign.refresh_from_db()
    assert (campaign.name, campaign.subject) == ("C\n", "Subject line")


def test_the_generator_bulk_path_cleans_what_it_writes(db, settings, tmp_path, monkeypatch):
    from django.core.management import call_command

    from pages.seed import generated

    settings.MEDIA_ROOT = tmp_path
    title_for = generated.SyntheticContent.title_for

    def hostile_title(self, model, i):
        return title_for(self, model, i) + "\x0b</script>\x01"

    monkeypatch.setattr(generated.SyntheticContent, "title_for", hostile_title)
    call_command("generate_content", "--conditions", "3", verbosity=0)
    titles = list(TherapyPage.objects.values_list("title", flat=True))
    assert titles and all("\x01" not in t and "\x0b" not in t for t in titles)
    revision_titles = [page.live_revision.content["title"] for page in TherapyPage.objects.all()]
    assert all("\x01" not in t for t in revision_titles)


def test_the_migration_cleans_rows_and_revisions_already_stored(therapy):
    migration = importlib.import_module("pages.migrations.0009_clean_stored_text")
    revision = therapy.save_revision()
    # as a database written before the normaliser holds them (no signal on a bulk update)
    TherapyPage.objects.filter(pk=therapy.pk).update(
        summary="Old\x0bsummary", mechanism_of_action="<p>x<script>alert(1)</script></p>"
    )
    type(revision).objects.filter(pk=revision.pk).update(
        content={**revision.content, "summary": "Draft\x01"}
    )
    Reference.objects.filter(pk=Reference.objects.first().pk).update(title="T\x02itle")
    migration.clean_rows(apps, None)
    migration.clean_revisions(apps, None)
    therapy.refresh_from_db()
    revision.refresh_from_db()
    assert therapy.summary == "Old\nsummary"
    assert therapy.mechanism_of_action == "<p>x</p>"
    assert revision.content["summary"] == "Draft"
    assert not Reference.objects.filter(title__contains="\x02").exists()
