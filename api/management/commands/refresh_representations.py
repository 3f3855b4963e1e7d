from django.core.management.base import BaseCommand

from api.changes import refresh


class Command(BaseCommand):
    help = (
        "Recompute the API representation of every content page and record when each last "
        "changed (what ?updated_since= and sync read). The worker keeps this up to date after "
        "edits; run it once after restoring a database or loading content without signals."
    )

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 0

        def progress(done, total):
            if verbose:
                self.stdout.write(f"  {done}/{total} items")

        changed = refresh(everything=True, progress=progress, initial=True)
        if verbose:
            self.stdout.write(self.style.SUCCESS(f"Done: {changed} item(s) changed."))
