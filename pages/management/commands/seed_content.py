from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pages.seed import load_seed_content
from pages.seed.translation import load_seed_translation


class Command(BaseCommand):
    help = (
        "Load the clinic's seed content (ketamine infusion therapy for neuropathic pain). "
        "Its Spanish translation is submitted for medical review, never published. Safe to run "
        "again: existing content is kept as it is."
    )

    def handle(self, *args, **options):
        try:
            report = load_seed_content()
            translated, created = load_seed_translation()
        except ValidationError as exc:
            raise CommandError(
                f"Seed content conflicts with what is in the database: {exc}. "
                "Rename or move the conflicting page in the admin, then run seed_content again."
            ) from exc
        if translated is not None:
            report.note(translated, created)
        if options["verbosity"] > 1:
            for line in report.created:
                self.stdout.write(f"  created {line}")
        if not options["verbosity"]:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Seed content ready: {len(report.created)} created, "
                f"{report.existing} already there."
            )
        )
