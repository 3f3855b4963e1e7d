from django.core.management.base import BaseCommand

from api.record.backups import backup
from pages.management.commands.generate_content import Progress


class Command(BaseCommand):
    help = (
        "Back up the database (PostgreSQL: pg_dump's custom format; SQLite: an online copy) "
        "and the media folder into a new folder, with a manifest of checksums. Safe while the "
        "site runs. Restore it with `manage.py restore --input DIR`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="A new (or empty) folder.")
        parser.add_argument(
            "--no-media", action="store_false", dest="media", help="The database only."
        )

    def handle(self, *args, output, media, **options):
        manifest = backup(output, Progress(self.stdout), media=media)
        database, files = manifest["database"], manifest["media"]
        size = database["bytes"] + (files["bytes"] if files else 0)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {output}: the database at change {manifest['change_counter']}"
                + (f", {files['files']} media file(s)" if files else "")
                + f", {size / 1e6:.1f} MB. It holds password hashes and secrets: keep it private."
            )
        )
