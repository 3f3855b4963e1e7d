from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from pages.models import (
    CauseIndexPage,
    CausePage,
    ConditionIndexPage,
    ConditionPage,
    HomePage,
    TherapyIndexPage,
    TherapyPage,
    TreatmentIndexPage,
    TreatmentPage,
)

INDEX_TO_CONTENT = {
    ConditionIndexPage: ConditionPage,
    CauseIndexPage: CausePage,
    TreatmentIndexPage: TreatmentPage,
    TherapyIndexPage: TherapyPage,
}


class PageTypeRulesTests(WagtailPageTestCase):
    def test_home_holds_the_four_sections_only(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(HomePage, set(INDEX_TO_CONTENT))

    def test_each_section_holds_its_own_type_only(self):
        for index_model, content_model in INDEX_TO_CONTENT.items():
            with self.subTest(index=index_model.__name__):
                self.assertAllowedParentPageTypes(index_model, {HomePage})
                self.assertAllowedSubpageTypes(index_model, {content_model})
                self.assertAllowedParentPageTypes(content_model, {index_model})
                self.assertAllowedSubpageTypes(content_model, set())

    def test_content_cannot_be_created_in_another_section(self):
        self.assertCanNotCreateAt(CauseIndexPage, ConditionPage)
        self.assertCanNotCreateAt(ConditionIndexPage, TherapyPage)
        self.assertCanNotCreateAt(HomePage, TreatmentPage)
        self.assertCanNotCreateAt(ConditionPage, CausePage)
