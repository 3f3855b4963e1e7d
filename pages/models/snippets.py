"""Snippets: reusable medical facts shared between pages (symptoms, reviewers, citations, codes)."""

import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    Orderable,
    RevisionMixin,
    TranslatableMixin,
    WorkflowMixin,
)
from wagtail.search import index

from pages.governance import KeepsHeldRevisions
from pages.link_safety import check_links
from pages.stemming import STEMS_FIELD, StemmedSearch

DOI_VALIDATOR = RegexValidator(
    r"^10\.\d{4,9}/\S+$",
    "Enter a DOI such as 10.1097/AAP.0000000000000808 (without the https://doi.org/ prefix).",
)
PMID_VALIDATOR = RegexValidator(r"^[1-9]\d{0,8}$", "Enter a PubMed ID: digits only, e.g. 31082965.")

SUMMARY_FEATURES = ["bold", "italic", "link"]
DEFAULT_DISCLAIMER_CACHE_KEY = "pages:default-disclaimer:v1"


def revision_relations():
    """The GenericRelations a snippet with revisions and workflows keeps (Wagtail's docs)."""
    return tuple(
        GenericRelation(
            target,
            content_type_field="base_content_type",
            object_id_field="object_id",
            related_query_name="%(class)s",
            for_concrete_model=False,
        )
        for target in ("wagtailcore.Revision", "wagtailcore.WorkflowState")
    )


class TranslatedUnderReview(TranslatableMixin):
    """A medical snippet or campaign in one language: translations of it share its translation
    key; names and slugs are unique per language (`per_locale`); a translation starts as a
    draft no one has reviewed, whatever its source's state, so only the Medical review
    publishes it."""

    class Meta(TranslatableMixin.Meta):
        abstract = True

    def copy_for_translation(self, locale, exclude_fields=None):
        copy = super().copy_for_translation(locale, exclude_fields)
        copy.live, copy.has_unpublished_changes = False, True
        copy.live_revision = copy.first_published_at = copy.last_published_at = None
        copy.translated_from = self  # recorded once the copy is saved (pages/translations.py)
        return copy

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        source = self.__dict__.pop("translated_from", None)
        if source is not None:
            from pages import translations

            translations.record(source, self)

    def validate_constraints(self, exclude=None):
        """Check the per-language uniqueness with the locale the row will have (the admin's
        forms leave the locale out, which would skip those checks and fail on save)."""
        if self.locale_id is None:
            self.locale = self.get_default_locale()
        super().validate_constraints(exclude=set(exclude or ()) - {"locale"})


class ReviewedSnippet(
    KeepsHeldRevisions,
    WorkflowMixin,
    DraftStateMixin,
    RevisionMixin,
    TranslatedUnderReview,
    models.Model,
):
    """A medical snippet under the "Medical review" workflow: an edit is a draft (a revision)
    until a Medical reviewer approves or publishes it, and the row holds what is live. One
    that is not live (never published, or unpublished) is not public anywhere: every door asks
    pages.selectors.snippet_is_public."""

    revisions, workflow_states = revision_relations()

    class Meta(TranslatedUnderReview.Meta):
        abstract = True


def per_locale(*fields, name, message, **kwargs):
    """A uniqueness that holds within one language (translations share the source's values)."""
    return models.UniqueConstraint(
        fields=["locale", *fields], name=name, violation_error_message=message, **kwargs
    )


class Symptom(StemmedSearch, index.Indexed, ReviewedSnippet):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, help_text="Used in API filters: ?symptom=")
    description = models.TextField(blank=True, help_text="One or two plain sentences for patients.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("description"),
        index.SearchField(STEMS_FIELD),
        index.FilterField("slug"),
    ]

    class Meta(ReviewedSnippet.Meta):
        ordering = ["name"]
        constraints = [
            per_locale(
                "name",
                name="unique_symptom_name",
                message="A symptom with this name already exists in this language.",
            ),
            per_locale(
                "slug",
                name="unique_symptom_slug",
                message="A symptom with this slug already exists in this language.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Reviewer(index.Indexed, ClusterableModel):
    """Who medically reviewed a page: a named clinician with credentials, or an organisation.
    One person in every language (their approvals are tied to one admin account), with their
    credentials and job title translated where patients read another language."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200, help_text="Full name, or the organisation's name.")
    credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="Required for a person: qualifications such as 'MD, FASA' or 'PharmD'.",
    )
    job_title = models.CharField(max_length=200, blank=True, help_text="e.g. Medical director")
    profile_url = models.URLField(blank=True, help_text="Public page about this reviewer.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reviewer_profiles",
        help_text="The admin account of this reviewer, if they sign off in the admin themselves.",
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("name"),
        FieldPanel("credentials"),
        FieldPanel("job_title"),
        FieldPanel("profile_url"),
        FieldPanel("user"),
        InlinePanel(
            "translations",
            heading="In other languages",
            label="Language",
            help_text="The credentials and job title as patients reading that language see "
            "them (e.g. 'Médico anestesiólogo').",
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("credentials"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def in_language(self, locale_id):
        """(credentials, job_title) in the language of `locale_id`: its translation where one
        is given (each part falling back on its own), else the reviewer's own."""
        for translation in self.translations.all():
            if translation.locale_id == locale_id:
                return (
                    translation.credentials or self.credentials,
                    translation.job_title or self.job_title,
                )
        return self.credentials, self.job_title

    def clean(self):
        super().clean()
        if self.kind == self.Kind.PERSON and not self.credentials.strip():
            raise ValidationError(
                {"credentials": "A person who reviews medical content needs their credentials."}
            )


class ReviewerTranslation(Orderable):
    """A reviewer's credentials and job title in another language."""

    reviewer = ParentalKey(Reviewer, on_delete=models.CASCADE, related_name="translations")
    locale = models.ForeignKey(
        "wagtailcore.Locale", on_delete=models.CASCADE, related_name="+", verbose_name="language"
    )
    credentials = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("locale"), FieldPanel("credentials"), FieldPanel("job_title")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "locale"], name="one_reviewer_translation_per_language"
            ),
        ]


class Reference(index.Indexed, ReviewedSnippet):
    """A citation to published evidence, with its persistent identifiers."""

    authors = models.CharField(
        max_length=500, help_text="Vancouver style: 'Cohen SP, Bhatia A, Buvanendran A, et al.'"
    )
    title = models.CharField(max_length=500)
    journal = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=30, blank=True, help_text="e.g. 521-546")
    doi = models.CharField(
        "DOI", max_length=200, blank=True, validators=[DOI_VALIDATOR], help_text="e.g. 10.1213/..."
    )
    pmid = models.CharField(
        "PMID", max_length=9, blank=True, validators=[PMID_VALIDATOR], help_text="PubMed ID"
    )
    url = models.URLField("URL", blank=True, help_text="Only if there is no DOI or PMID.")

    panels = [
        FieldPanel("authors"),
        FieldPanel("title"),
        MultiFieldPanel(
            [
                FieldPanel("journal"),
                FieldPanel("year"),
                FieldPanel("volume"),
                FieldPanel("issue"),
                FieldPanel("pages"),
            ],
            heading="Publication",
        ),
        MultiFieldPanel(
            [FieldPanel("doi"), FieldPanel("pmid"), FieldPanel("url")], heading="Identifiers"
        ),
    ]
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.SearchField("authors"),
        index.SearchField("journal"),
        index.SearchField("doi"),
        index.SearchField("pmid"),
    ]

    class Meta(ReviewedSnippet.Meta):
        ordering = ["-year", "title"]
        constraints = [
            per_locale(
                "doi",
                condition=~Q(doi=""),
                name="unique_reference_doi",
                message="A reference with this DOI already exists in this language.",
            ),
        ]

    def __str__(self):
        return self.citation

    @property
    def citation(self):
        """Vancouver-style citation: 'Cohen SP, et al. Title. Journal. 2018;43(5):521-546.'"""
        text = f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}."
        if self.journal:
            text += f" {self.journal.rstrip('.')}."
        text += f" {self.year}"
        if self.volume:
            text += f";{self.volume}"
            if self.issue:
                text += f"({self.issue})"
        if self.pages:
            text += f":{self.pages}"
        return text + "."

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    def clean_fields(self, exclude=None):
        # Editors paste DOIs as links or "doi:..." strings: keep the bare DOI before validating.
        self.doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", self.doi.strip(), flags=re.I)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        if not (self.doi or self.pmid or self.url):
            raise ValidationError("Give at least one of DOI, PMID or URL so readers can check it.")


class MedicalCode(index.Indexed, ReviewedSnippet):
    """A code from a public terminology (ICD-10-CM, SNOMED CT, ATC...) for a condition or drug."""

    class System(models.TextChoices):
        ICD10CM = "ICD-10-CM", "ICD-10-CM"
        ICD11 = "ICD-11", "ICD-11"
        SNOMED_CT = "SNOMED CT", "SNOMED CT"
        ATC = "ATC", "ATC (WHO Anatomical Therapeutic Chemical)"
        MESH = "MeSH", "MeSH"
        RXNORM = "RxNorm", "RxNorm"

    # What a value looks like in each system; codes from other systems are not checked.
    VALUE_PATTERNS = {
        System.ICD10CM: (r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$", "e.g. G90.50"),
        System.SNOMED_CT: (r"^[1-9]\d{5,17}$", "6 to 18 digits, e.g. 247398009"),
        System.ATC: (r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$", "e.g. N01AX03"),
        System.MESH: (r"^[DCQ]\d{6,9}$", "e.g. D009437"),
        System.RXNORM: (r"^\d{1,10}$", "digits, e.g. 6130"),
    }

    system = models.CharField(max_length=20, choices=System.choices)
    value = models.CharField(max_length=40, help_text="The code itself, e.g. G90.50")
    display_name = models.CharField(
        max_length=300,
        help_text="The code's name in its system, e.g. 'Phantom limb syndrome with pain'.",
    )
    verified = models.BooleanField(
        default=False,
        help_text="Tick only once the clinic's medical coder has confirmed this code.",
    )

    panels = [
        FieldPanel("system"),
        FieldPanel("value"),
        FieldPanel("display_name"),
        FieldPanel("verified"),
    ]
    search_fields = [
        index.SearchField("value"),
        index.AutocompleteField("value"),
        index.SearchField("display_name"),
        index.AutocompleteField("display_name"),
        index.FilterField("system"),
        index.FilterField("verified"),
    ]

    class Meta(ReviewedSnippet.Meta):
        ordering = ["system", "value"]
        constraints = [
            per_locale(
                "system",
                "value",
                name="unique_medical_code",
                message="This code already exists in this language.",
            ),
        ]

    def __str__(self):
        return f"{self.system} {self.value} — {self.display_name}"

    def clean(self):
        super().clean()
        self.value = (
            self.value.strip().upper() if self.system != self.System.MESH else self.value.strip()
        )
        pattern = self.VALUE_PATTERNS.get(self.system)
        if pattern and not re.match(pattern[0], self.value):
            raise ValidationError(
                {"value": f"'{self.value}' is not a valid {self.system} code ({pattern[1]})."}
            )


class Disclaimer(ReviewedSnippet):
    """The medical disclaimer shown on every page: managed once here, never pasted into bodies."""

    name = models.CharField(max_length=100, help_text="For editors, e.g. 'Standard'.")
    text = RichTextField(features=SUMMARY_FEATURES)
    emergency_text = models.CharField(
        max_length=300,
        blank=True,
        help_text="What to do in an emergency, e.g. 'In an emergency, call 911.'",
    )
    email_text = RichTextField(
        features=SUMMARY_FEATURES,
        blank=True,
        help_text="The disclaimer as an email says it, e.g. 'This email is general information...' "
        "(empty: emails show the text above).",
    )
    is_default = models.BooleanField(
        default=False,
        help_text="Shown on every page that does not choose another disclaimer, once published "
        "(the previous default then stops being it).",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("text"),
        FieldPanel("emergency_text"),
        FieldPanel("email_text"),
        FieldPanel("is_default"),
    ]

    class Meta(ReviewedSnippet.Meta):
        ordering = ["name"]
        constraints = [
            per_locale(
                "name",
                name="unique_disclaimer_name",
                message="A disclaimer with this name already exists in this language.",
            ),
            per_locale(
                "is_default",
                condition=Q(is_default=True, live=True),
                name="one_live_default_disclaimer",
                message="Another disclaimer is the live default in this language.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """A live default replaces the previous one (publishing a draft marked default is how
        the default changes: drafts cannot untick the live one first)."""
        with transaction.atomic():
            if self.live and self.is_default:
                others = Disclaimer.objects.filter(
                    is_default=True, live=True, locale_id=self.locale_id
                ).exclude(pk=self.pk)
                for other in others:  # one at most; saved, so its signals run
                    other.is_default = False
                    other.save(update_fields=["is_default"])
            super().save(*args, **kwargs)

    @classmethod
    def default(cls, fresh=False):
        """The default disclaimer (cached; pages/signals.py drops it when a disclaimer changes).
        `fresh`: read from the database (background work racing the cache's drop)."""
        from pages.selectors import default_locale_id

        found = None if fresh else cache.get(DEFAULT_DISCLAIMER_CACHE_KEY)
        if found is None:
            live = cls.objects.filter(is_default=True, live=True, locale_id=default_locale_id())
            found = live.first() or False
            cache.set(DEFAULT_DISCLAIMER_CACHE_KEY, found, 600)
        return found or None

    def clean(self):
        super().clean()
        check_links(self)
