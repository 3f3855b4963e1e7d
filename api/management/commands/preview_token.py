from django.core.management.base import BaseCommand, CommandError

from api.channels import preview_tokens


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
            default=preview_tokens.DEFAULT_TTL,
            help=f"Seconds the token lives (default {preview_tokens.DEFAULT_TTL}; at most "
            "PREVIEW_TOKEN_MAX_SECONDS).",
        )

    def handle(self, *args, page_id, ttl, **options):
        try:
            page = preview_tokens.previewable(page_id)
            token, expires_at = preview_tokens.mint(page_id, ttl)
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        self.stderr.write(f"Preview of '{page.title}' until {expires_at.isoformat()}:")
        self.stdout.write(token)
