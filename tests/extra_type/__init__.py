"""A small extra content type (procedures), installed only under tests.extra_type.settings: the
proof that a new type is a model, its migration and one registration, with no edit to the
API's code (tests/test_extra_type.py runs check_doors.py in a subprocess under those settings,
so the main suite's enums, query budgets and migration check never see it)."""
