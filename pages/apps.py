from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Medical content"

    def ready(self):
        from pages import governance, signals

        signals.connect()
        governance.guard_publication()
