from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Delivery API"

    def ready(self):
        from api.channels.drafts import serve_preview
        from api.record import signals
        from api.record.changes import pages_showing
        from pages import media, previews

        signals.connect()
        previews.render_previews_with(serve_preview)  # the admin's App, Email, client previews
        media.also_find_pages_showing(pages_showing)  # who may replace an image live items show
