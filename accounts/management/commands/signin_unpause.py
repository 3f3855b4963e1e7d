"""Lift both sign-in pauses of one user name (accounts/throttling.py)."""

from django.core.management.base import BaseCommand

from axes.models import AccessAttempt, AccessFailureLog


class Command(BaseCommand):
    help = (
        "Forget the wrong passwords recorded for a user name: lifts its pause from every "
        "address and the name-wide pause. Signing in again works at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        attempts, _ = AccessAttempt.objects.filter(username=username).delete()
        failures, _ = AccessFailureLog.objects.filter(username=username).delete()
        if not attempts and not failures:
            self.stdout.write(
                f"Nothing to lift: no wrong passwords are recorded for {username!r} (user "
                "names are case-sensitive)."
            )
            return
        self.stdout.write(f"Sign-in is no longer paused for {username}.")
