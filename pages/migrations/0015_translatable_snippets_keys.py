"""Every existing medical snippet and campaign is in the default locale, with a translation key
of its own (Wagtail's bootstrap-translatable path; 0016 then makes both required)."""

from django.db import migrations

from wagtail.models import BootstrapTranslatableModel

MODELS = ("campaign", "disclaimer", "medicalcode", "reference", "symptom")


class Migration(migrations.Migration):
    dependencies = [("pages", "0014_translatable_snippets_bootstrap")]

    operations = [BootstrapTranslatableModel(f"pages.{model}") for model in MODELS]
