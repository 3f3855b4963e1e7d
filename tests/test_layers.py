"""The layers point one way (docs/architecture.md, "Apps and layers"): `pages/` (the content
model and its admin) imports neither `shapes/` nor `api/`, and `shapes/` does not import `api/`,
not even inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BELOW = {"pages": {"shapes", "api"}, "shapes": {"api"}}


def imported_apps(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("app", sorted(BELOW))
def test_an_app_never_imports_the_layers_above_it(app):
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for name in imported_apps(path)
        if name in BELOW[app]
    ]
    assert found == []
