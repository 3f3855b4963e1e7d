from pages.models.base import (
    BaseContentPage,
    HomePage,
    MedicalReviewMixin,
    PageMedicalCode,
    PageReferenceLink,
)
from pages.models.campaigns import Campaign, CampaignItem
from pages.models.causes import CauseIndexPage, CausePage, CauseStatistic
from pages.models.conditions import (
    ConditionCauseLink,
    ConditionIndexPage,
    ConditionOtherName,
    ConditionPage,
    ConditionSubtype,
    ConditionSymptomLink,
    ConditionTreatmentLink,
)
from pages.models.email_brand import EmailBrand, EmailWording, Esp
from pages.models.review_task import MedicalReviewTask
from pages.models.snippets import (
    Disclaimer,
    MedicalCode,
    Reference,
    Reviewer,
    ReviewerTranslation,
    Symptom,
)
from pages.models.therapies import (
    TherapyContraindication,
    TherapyIndexPage,
    TherapyPage,
    TherapyReliefLink,
    TherapySideEffect,
)
from pages.models.translations import TranslationOrigin
from pages.models.treatments import TreatmentExampleDrug, TreatmentIndexPage, TreatmentPage

__all__ = [
    "MedicalReviewTask",
    "EmailBrand",
    "EmailWording",
    "Esp",
    "BaseContentPage",
    "Campaign",
    "CampaignItem",
    "CauseIndexPage",
    "CausePage",
    "CauseStatistic",
    "ConditionCauseLink",
    "ConditionIndexPage",
    "ConditionOtherName",
    "ConditionPage",
    "ConditionSubtype",
    "ConditionSymptomLink",
    "ConditionTreatmentLink",
    "Disclaimer",
    "HomePage",
    "MedicalCode",
    "MedicalReviewMixin",
    "PageMedicalCode",
    "PageReferenceLink",
    "Reference",
    "Reviewer",
    "ReviewerTranslation",
    "Symptom",
    "TherapyContraindication",
    "TherapyIndexPage",
    "TherapyPage",
    "TherapyReliefLink",
    "TherapySideEffect",
    "TranslationOrigin",
    "TreatmentExampleDrug",
    "TreatmentIndexPage",
    "TreatmentPage",
]

CONTENT_PAGE_MODELS = (ConditionPage, CausePage, TreatmentPage, TherapyPage)
REVIEW_STATUS_CHOICES = MedicalReviewMixin.ReviewStatus.choices
