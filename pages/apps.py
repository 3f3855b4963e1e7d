from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Medical content"

    def ready(self):
        from django.db.models.signals import post_migrate

        from wagtail.signals import copy_for_translation_done

        from pages import governance, media, signals, translations

        signals.connect()
        post_migrate.connect(translations.ensure_locales, sender=self, dispatch_uid="locales")
        copy_for_translation_done.connect(translations.record_copy, dispatch_uid="translation")
        media.register_permission_policies()
        governance.guard_publication()
