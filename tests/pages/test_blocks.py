"""pages.blocks.prefetch_stream_values is the one place that reaches into Wagtail's StreamValue
(`_raw_data`, `_bound_blocks`, `StreamChild`): converted together, many streams hold exactly
what Wagtail converts stream by stream, in the same number of queries as one stream. An
upgrade that moves those internals fails here, loudly."""

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.blocks import StreamValue

from pages.blocks import prefetch_stream_values
from shapes import registry


def streams_of_every_item():
    """Every StreamField value of every item, freshly loaded (not yet converted)."""
    return [
        getattr(page, name)
        for item_type in registry.item_types()
        for page in item_type.model.objects.order_by("pk")
        for name in item_type.streams
    ]


def converted(stream):
    return [
        (child.block_type, child.id, child.block.get_prep_value(child.value)) for child in stream
    ]


def test_streams_converted_together_hold_what_wagtail_converts_one_by_one(
    seeded, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    call_command("generate_content", "--conditions", "3", verbosity=0)
    assert hasattr(StreamValue, "StreamChild")
    expected = [converted(stream) for stream in streams_of_every_item()]
    fresh = streams_of_every_item()
    for stream in fresh:
        assert hasattr(stream, "_raw_data") and hasattr(stream, "_bound_blocks")
    with CaptureQueriesContext(connection) as together:
        prefetch_stream_values(fresh)
    assert all(child is not None for stream in fresh for child in stream._bound_blocks)
    with CaptureQueriesContext(connection) as after:
        assert [converted(stream) for stream in fresh] == expected
    assert len(after) == 0  # everything was converted beforehand
    # one query per chooser block type (pages, symptoms, images, references), not per stream
    assert len(together) <= 4 < len(fresh), [query["sql"] for query in together]
    assert sum(len(stream._raw_data) for stream in fresh) >= 10
