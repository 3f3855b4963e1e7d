from django.core.management.base import BaseCommand, CommandError

from api.http.auth import create_key
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
        parser.add_argument(
            "--scopes",
            default=ApiKey.Scope.READ,
            help=f"Comma-separated, from {', '.join(ApiKey.Scope.values)} (default: read).",
        )

    def handle(self, *args, name, channel, rate, scopes, **options):
        if channel not in ApiKey.Channel.values:
            raise CommandError(
                f"Unknown channel '{channel}': use one of {', '.join(ApiKey.Channel.values)}."
            )
        if rate is not None and rate < 1:
            raise CommandError("--rate must be a positive number of requests per minute.")
        if not name.strip() or len(name) > 100:
            raise CommandError("Give the key a name of 1 to 100 characters.")
        chosen = list(dict.fromkeys(s.strip() for s in scopes.split(",") if s.strip()))
        unknown = [scope for scope in chosen if scope not in ApiKey.Scope.values]
        if unknown or not chosen:
            raise CommandError(
                f"Unknown scope(s) {', '.join(unknown) or '(none given)'}: use some of "
                f"{', '.join(ApiKey.Scope.values)}, comma-separated."
            )
        key, raw = create_key(name.strip(), channel, rate, chosen)
        self.stdout.write(
            f"Created API key '{key.name}' ({key.get_channel_display()}; scopes: "
            f"{', '.join(key.scopes)})."
        )
        self.stdout.write("Copy it now, it is not shown again:")
        self.stdout.write(raw)
        self.stdout.write("Send it as: Authorization: Bearer <key>")
