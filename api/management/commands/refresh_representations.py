from django.core.management.base import BaseCommand
from django.utils import timezone

from api.models import RepresentationState
from api.record.changes import refresh


class Command(BaseCommand):
    help = (
        "Recompute the API representation of every content page and record when each last "
        "changed (what ?updated_since= and sync read). The worker keeps this up to date after "
        "edits; run it after loading content without signals. After restoring a database, run "
        "`after_restore` (`restore` does): it also renews the response cache's namespace."
    )

    def handle(self, *args, **options):
        verbose = options["verbosity"] > 0

        def progress(done, total):
            if verbose:
                self.stdout.write(f"  {done}/{total} items")

        started = timezone.now()
        changed = refresh(everything=True, progress=progress, initial=True)
        stored = RepresentationState.objects.filter(public=True, stored_at__gte=started).count()
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done: {stored} item(s) stored; {changed} of them changed since they were "
                    "last recorded (new items keep their publication time)."
                )
            )
