from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Delivery API"

    def ready(self):
        from api import signals

        signals.connect()
