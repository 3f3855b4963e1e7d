"""`manage.py webhooks add|list|remove|rotate`: webhook endpoints from the command line (the
admin has them too, under Settings > Webhook endpoints)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from webhooks import signing
from webhooks.models import EVENT_TYPES, Endpoint


class Command(BaseCommand):
    help = "Add, list, rotate the secret of, or remove webhook endpoints."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="add|list|rotate|remove"
        )
        add = actions.add_parser("add", help="Add an endpoint; prints its id and secret.")
        add.add_argument("--url", required=True, help="Where events are posted.")
        add.add_argument(
            "--events",
            default="",
            help="Comma-separated event types (default: every one): " + ", ".join(EVENT_TYPES),
        )
        add.add_argument("--secret", default="", help="A whsec_ secret (default: a new one).")
        add.add_argument("--description", default="", help="Who receives it.")
        actions.add_parser("list", help="List endpoints with their state.")
        rotate = actions.add_parser("rotate", help="Give an endpoint a new secret; prints it.")
        rotate.add_argument("id", type=int)
        remove = actions.add_parser("remove", help="Remove an endpoint and its delivery log.")
        remove.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, action)(**options)

    def add(self, url, events, secret, description, **options):
        chosen = [name.strip() for name in events.split(",") if name.strip()]
        if secret and (reason := signing.check_secret(secret)):
            raise CommandError(f"--secret: {reason} Leave it out to get a new one.")
        endpoint = Endpoint(url=url, events=chosen, description=description, secret=secret)
        try:
            endpoint.full_clean()
        except ValidationError as error:
            reasons = "; ".join(f"--{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(reasons) from None
        endpoint.save()
        self.stdout.write(f"Added webhook endpoint {endpoint.pk}: {endpoint.url}")
        self.stdout.write(f"Events: {', '.join(endpoint.events) or 'every event'}")
        self.stdout.write("Its signing secret (copy it now, it is not shown again):")
        self.stdout.write(endpoint.secret)

    def list(self, **options):
        endpoints = Endpoint.objects.all()
        if not endpoints:
            self.stdout.write("No webhook endpoints. Add one: manage.py webhooks add --url URL")
        for endpoint in endpoints:
            state = "active" if endpoint.is_active else "inactive"
            if endpoint.consecutive_failures:
                state += f", {endpoint.consecutive_failures} failure(s) in a row"
            if endpoint.disabled_reason:
                state += f" ({endpoint.disabled_reason})"
            events = ",".join(endpoint.events) or "every event"
            self.stdout.write(f"{endpoint.pk}\t{endpoint.url}\t{events}\t{state}")

    def rotate(self, id, **options):
        endpoint = self.endpoint(id)
        secret = endpoint.rotate_secret(settings.WEBHOOKS_ROTATION_GRACE_SECONDS)
        hours = settings.WEBHOOKS_ROTATION_GRACE_SECONDS / 3600
        self.stdout.write(
            f"New secret for endpoint {endpoint.pk} (the old one also signs for {hours:g} h):"
        )
        self.stdout.write(secret)

    def remove(self, id, **options):
        endpoint = self.endpoint(id)
        endpoint.delete()
        self.stdout.write(f"Removed webhook endpoint {id} ({endpoint.url}).")

    def endpoint(self, pk):
        try:
            return Endpoint.objects.get(pk=pk)
        except Endpoint.DoesNotExist:
            raise CommandError(
                f"No webhook endpoint has the id {pk}: `manage.py webhooks list` shows them."
            ) from None
