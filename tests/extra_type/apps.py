from django.apps import AppConfig


class ExtraTypeConfig(AppConfig):
    name = "tests.extra_type"
    label = "extra_type"
    verbose_name = "Procedures (an extra content type for tests)"

    def ready(self):
        from shapes.registry import register
        from tests.extra_type.registration import PROCEDURE

        register(PROCEDURE)
