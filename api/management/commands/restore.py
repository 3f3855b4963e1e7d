from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from api.record.backups import media_root, read_manifest, restore
from pages.management.commands.generate_content import Progress


class Command(BaseCommand):
    help = (
        "Replace the configured database and the media with a backup written by `manage.py "
        "backup`, then run `after_restore` (migrations, a new response-cache namespace, a purge "
        "of everything cached here and at the CDN, stored copies caught up). Stop the web "
        "processes and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, dest="source", help="The backup's folder.")
        parser.add_argument(
            "--noinput", action="store_false", dest="interactive", help="Do not ask to confirm."
        )
        parser.add_argument(
            "--no-media", action="store_false", dest="media", help="Leave the media as they are."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even while other sessions are connected to the database.",
        )
        parser.add_argument(
            "--full-refresh",
            action="store_true",
            help="Afterwards represent every item again, not only the stale ones.",
        )

    def handle(self, *args, source, interactive, media, force, full_refresh, **options):
        progress = Progress(self.stdout)
        progress.say(f"Checking {source} against its manifest...")
        manifest = read_manifest(source)
        db = connection.settings_dict
        target = f"{connection.vendor} database {db['NAME']}" + (
            f" on {db['HOST']}" if db.get("HOST") else ""
        )
        media_part = f" and the files in {media_root()}" if media and manifest["media"] else ""
        if interactive:
            try:
                answer = input(
                    f"This replaces everything in the {target}{media_part} with the backup made "
                    f"at {manifest['created_at']} (change {manifest['change_counter']}).\n"
                    "Type 'yes' to continue: "
                )
            except EOFError:
                answer = ""
            if answer.strip() != "yes":
                raise CommandError(
                    "Restore cancelled: nothing was changed (to run it unattended, pass --noinput)."
                )
        restore(source, manifest, progress, media=media, force=force, full=full_refresh)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['created_at']} into the {target}. Start the "
                "web processes and the worker again. Apps' sync cursors from after the backup "
                "are answered 410 (they sync again from scratch)."
            )
        )
