"""Turn off a user's two-factor sign-in when they lost their phone and their recovery codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and recovery codes. If their role requires "
        "two-factor sign-in, they set it up again at their next sign-in."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user is named {username!r}: check the spelling (user names are "
                "case-sensitive) in the admin's Settings › Users."
            ) from None
        two_factor.turn_off(user)
        again = ""
        if two_factor.is_required(user):
            again = " They set it up again at their next sign-in."
        self.stdout.write(f"Two-factor sign-in is off for {username}.{again}")
