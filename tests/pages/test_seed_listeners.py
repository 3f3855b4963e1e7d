"""The seed command tells listeners about what it created, once (a module of its own: it
seeds an empty database, where tests/pages/test_seed.py shares one seeded database)."""

from django.core.management import call_command

from wagtail.models import Locale, Page

from pages.signals import content_loaded


def test_seed_tells_listeners_once_about_the_pages_it_created(db):
    calls = []

    def listener(sender, page_ids, **kwargs):
        calls.append(page_ids)

    content_loaded.connect(listener)
    try:
        call_command("seed_content", verbosity=0)
        call_command("seed_content", verbosity=0)  # creates nothing: nothing to tell
    finally:
        content_loaded.disconnect(listener)
    (page_ids,) = calls
    english = Page.objects.filter(depth__gt=1, locale=Locale.get_default())
    assert sorted(page_ids) == sorted(english.values_list("pk", flat=True))
