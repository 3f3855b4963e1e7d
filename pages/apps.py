from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Medical content"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate

        from wagtail.signals import copy_for_translation_done, published, unpublished

        from pages import governance, media, signals, translations

        signals.connect()
        post_migrate.connect(translations.ensure_locales, sender=self, dispatch_uid="locales")
        copy_for_translation_done.connect(translations.record_copy, dispatch_uid="translation")
        # pages too: Wagtail sends these for pages besides page_published/page_unpublished
        for signal in (published, unpublished):
            signal.connect(translations.source_published, dispatch_uid="translation-source")
        post_delete.connect(translations.forget, dispatch_uid="translation-deleted")
        media.register_permission_policies()
        governance.guard_publication()
