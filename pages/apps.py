from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Medical content"

    def ready(self):
        from pages import governance, media, signals

        signals.connect()
        media.register_permission_policies()
        governance.guard_publication()
