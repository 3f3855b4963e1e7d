import os

from django.db import connection

from wagtail.models import Page, Site

import freezegun
import pytest
from freezegun import freeze_time

# pytest's own clock (its durations) reads real time inside a test's frozen clock.
freezegun.configure(extend_ignore_list=["_pytest.timing"])

# With REQUIRE_SERVICES=postgres,redis (set by .ci/run), a test marked as needing one of those
# services fails instead of skipping: a green CI run must have exercised them.
REQUIRED_SERVICE_MARKERS = {
    name.strip() for name in os.environ.get("REQUIRE_SERVICES", "").split(",") if name.strip()
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or not REQUIRED_SERVICE_MARKERS:
        return
    required = REQUIRED_SERVICE_MARKERS.intersection(m.name for m in item.iter_markers())
    if required:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} needs {', '.join(sorted(required))} (REQUIRE_SERVICES), but was "
            f"skipped: {report.longrepr}"
        )


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: cached visibility facts must not outlive the
    database rows of the test that cached them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgres_db(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    return url


@pytest.fixture(scope="session")
def heavy():
    """Suites of minutes (schemathesis, browsers, full-size property tests) and suites that
    start real processes run once, in CI's PostgreSQL pass (HEAVY_TESTS=1, where
    REQUIRE_SERVICES makes a skip fail). Session-scoped, so a module-scoped fixture that builds
    something for heavy tests alone can ask for it and be skipped before it builds."""
    if not os.environ.get("HEAVY_TESTS"):
        pytest.skip("a heavy suite: set HEAVY_TESTS=1 (CI's PostgreSQL pass does)")


@pytest.fixture
def freezer():
    """A frozen clock; move it with freezer.move_to("2026-09-01")."""
    with freeze_time("2026-03-10 09:00:00") as frozen:
        yield frozen


SEED_DAY = "2026-03-10 09:00:00"


@pytest.fixture(scope="module")
def _module_seed(request, django_db_setup, django_db_blocker):
    """For a module that sets SEED_ONCE = True: the seed content loaded once, in a
    transaction rolled back when the module ends (tests/module_data.py); each test runs in a
    savepoint inside it, so what one changes is gone for the next. Only for modules whose every
    database test wants the seed and none needs `transactional_db`."""
    if not getattr(request.module, "SEED_ONCE", False):
        yield False
        return
    from pages.seed import load_seed_content
    from tests.module_data import rolled_back_after_module

    with rolled_back_after_module(django_db_blocker):
        with freeze_time(SEED_DAY):
            load_seed_content()
        yield True


@pytest.fixture
def seeded(_module_seed, db, freezer):
    """The clinic's seed content, loaded on a fixed day (review dates depend on it): once per
    module where the module allows it (SEED_ONCE), else for this test."""
    from pages.seed import load_seed_content

    freezer.move_to(SEED_DAY)
    if not _module_seed:
        load_seed_content()


@pytest.fixture
def home(db):
    from tests.factories import HomePageFactory

    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, title="Clinic", slug="clinic")
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


def member(django_user_model, group, name):
    """A user in one of the roles (pages/migrations/0006), signing in with the password pw."""
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(name, f"{name}@clinic.test", "pw")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db, django_user_model):
    return member(django_user_model, "Editors", "editor")


@pytest.fixture
def reviewer(db, django_user_model):
    """A Medical reviewer with one linked Reviewer profile (an approval needs it)."""
    from pages.models import Reviewer

    user = member(django_user_model, "Medical reviewers", "reviewer")
    Reviewer.objects.create(name="Dr Ada Reviewer", credentials="MD", user=user)
    return user
