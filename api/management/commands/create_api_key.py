from django.core.management.base import BaseCommand, CommandError

from api.auth import create_key
from api.models import ApiKey


class Command(BaseCommand):
    help = (
        "Create an API key for a consumer and print it (shown once; only its hash is stored). "
        "Keys can also be created, rate-limited and revoked in the admin under Settings > API keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who uses it, e.g. 'Website production'.")
        parser.add_argument(
            "--channel", default="web", help=f"One of {', '.join(ApiKey.Channel.values)}."
        )
        parser.add_argument(
            "--rate", type=int, default=None, help="Requests per minute (default: API_KEY_RATE)."
        )

    def handle(self, *args, name, channel, rate, **options):
        if channel not in ApiKey.Channel.values:
            raise CommandError(
                f"Unknown channel '{channel}': use one of {', '.join(ApiKey.Channel.values)}."
            )
        if rate is not None and rate < 1:
            raise CommandError("--rate must be a positive number of requests per minute.")
        if not name.strip() or len(name) > 100:
            raise CommandError("Give the key a name of 1 to 100 characters.")
        key, raw = create_key(name.strip(), channel, rate)
        self.stdout.write(f"Created API key '{key.name}' ({key.get_channel_display()}).")
        self.stdout.write("Copy it now, it is not shown again:")
        self.stdout.write(raw)
        self.stdout.write("Send it as: Authorization: Bearer <key>")
