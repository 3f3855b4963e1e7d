"""`manage.py worker_health`: exits 0 while the worker beats (worker/heartbeat.py), 1 when it
has not begun a round for --max-age seconds or never has. docker-compose.yml's health check."""

from django.core.management.base import BaseCommand, CommandError

from worker import heartbeat


class Command(BaseCommand):
    help = (
        "Check that `run_worker` is alive: it began a round within --max-age seconds (it writes "
        "WORKER_HEARTBEAT_FILE as each round begins). Exits 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-age",
            type=float,
            default=300.0,
            help="Seconds since the last round began before the worker counts as stuck "
            "(default 300: far above a round's --budget and --interval).",
        )

    def handle(self, *args, max_age=300.0, **options):
        age = heartbeat.age()
        if age is None:
            raise CommandError(f"No worker heartbeat at {heartbeat.path()}: is run_worker running?")
        if age > max_age:
            raise CommandError(
                f"The worker began its last round {age:.0f}s ago (more than {max_age:g}s): it is "
                "stopped or stuck."
            )
        self.stdout.write(f"Worker alive: last round began {age:.1f}s ago.")
