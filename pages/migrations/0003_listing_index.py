"""An index for listing a content type's public pages in title order, and counting them,
without reading the page table (api/serving/read_path.py COLLECTION_PAGE, COLLECTION_COUNT): the
type, the default ordering, then every column the visibility rule reads (pages/selectors.py)."""

from django.db import migrations

COLUMNS = "content_type_id, title, id, live, expired, path, expire_at"


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_api_representations"),
        ("wagtailcore", "0098_apitoken"),  # after every migration of the page table
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS pages_listing_by_type ON wagtailcore_page ({COLUMNS})",
            "DROP INDEX IF EXISTS pages_listing_by_type",
        ),
    ]
