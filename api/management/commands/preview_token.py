from django.core.management.base import BaseCommand, CommandError

from wagtail.models import Page

from api import preview
from pages.models import CONTENT_PAGE_MODELS


class Command(BaseCommand):
    help = (
        "Print a preview token for a page: GET /api/v1/preview/?token=<token> shows its latest "
        "revision, draft included, to whoever holds it, until it expires."
    )

    def add_arguments(self, parser):
        parser.add_argument("page_id", type=int, help="The page's id (in its admin URL).")
        parser.add_argument(
            "--ttl",
            type=int,
            default=preview.DEFAULT_TTL,
            help=f"Seconds the token lives (default {preview.DEFAULT_TTL}; at most "
            "PREVIEW_TOKEN_MAX_SECONDS).",
        )

    def handle(self, *args, page_id, ttl, **options):
        page = Page.objects.filter(pk=page_id).first()
        if page is None:
            raise CommandError(f"No page has the id {page_id}.")
        if page.specific_class not in CONTENT_PAGE_MODELS:
            raise CommandError(
                f"Page {page_id} ({page.title}) is not a condition, cause, treatment or therapy."
            )
        try:
            token, expires_at = preview.mint(page_id, ttl)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stderr.write(f"Preview of '{page.title}' until {expires_at.isoformat()}:")
        self.stdout.write(token)
