from django.core.management.base import BaseCommand

from api.record.backups import after_restore
from pages.management.commands.generate_content import Progress


class Command(BaseCommand):
    help = (
        "What a database restored by any means (pg_restore by hand, a provider's point-in-time "
        "recovery) needs before it serves: migrations, a new response-cache namespace, a purge "
        "of everything cached here and at the CDN, the cached database facts dropped, stored "
        "copies that are no longer current refreshed. `manage.py restore` runs it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full-refresh",
            action="store_true",
            help="Represent every item again, not only the stale ones.",
        )

    def handle(self, *args, full_refresh, **options):
        after_restore(Progress(self.stdout), full=full_refresh)
        self.stdout.write(self.style.SUCCESS("Ready to serve."))
