"""Data a whole test module reads, written once for the module instead of once per test.

    @pytest.fixture(scope="module")
    def _content(django_db_setup, django_db_blocker):
        with rolled_back_after_module(django_db_blocker):
            call_command("generate_content", "--conditions", "200", verbosity=0)
            yield

    @pytest.fixture
    def content(_content, db):  # each test: a savepoint inside the module's transaction
        pass

The module's rows live in one transaction that is rolled back when the module ends; each test
(`db`) runs in a savepoint inside it, so what a test changes is undone before the next one.
Only for modules whose tests all use the data and none needs `transactional_db`.
"""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back_after_module(django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
