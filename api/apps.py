from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Delivery API"

    def ready(self):
        from api.record import signals

        signals.connect()
