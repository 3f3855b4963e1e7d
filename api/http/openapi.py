"""The OpenAPI document, built once per process: drf-spectacular builds it per request (about
0.3 s of CPU, which any client could make every process spend again and again). Kept per API
version, language and audience; a changed setting (tests override them) drops it, through
Django's own `setting_changed` signal."""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import translation

from drf_spectacular.generators import SchemaGenerator

_documents = {}  # (version, language, public) -> the document


@receiver(setting_changed)
def forget_documents(**kwargs):
    _documents.clear()


class CachedSchemaGenerator(SchemaGenerator):
    def get_schema(self, request=None, public=False):
        key = (self.api_version, translation.get_language(), public)
        if key not in _documents:
            _documents[key] = super().get_schema(request=request, public=public)
        return _documents[key]
