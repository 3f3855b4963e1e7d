import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = Path(settings.BASE_DIR) / ".local-admin-password"


class Command(BaseCommand):
    help = (
        "Make sure a local admin login exists and print it (laptops only; refuses when "
        "DEBUG is off). The generated password is kept in .local-admin-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username="admin", **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin is for local development (DEBUG=True). In production, use "
                "'manage.py createsuperuser'."
            )
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username, f"{username}@localhost", password)
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        elif PASSWORD_FILE.exists():
            password = PASSWORD_FILE.read_text().strip()
        else:
            self.stdout.write(
                f"Admin login: user '{username}' exists already; use its password, or reset it "
                f"with 'manage.py changepassword {username}'."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: {settings.API_BASE_URL}/admin/  user: {username}  "
                f"password: {password}"
            )
        )
