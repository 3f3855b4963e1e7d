from django.apps import AppConfig


class ShapesConfig(AppConfig):
    name = "shapes"
    verbose_name = "Shapes of the delivered content"

    def ready(self):
        from shapes.types import register_types

        register_types()
