"""Dependencies point one way: core <- policies <- reports <- acknowledgements; approvals: core, policies.

Read from the source (every `import` and `from ... import` in each app's own files), so an upward import
fails here even if no test happens to execute it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["symphony_portal", "policies", "reports", "acknowledgements", "approvals"]
# What each app may import, besides itself.
ALLOWED = {
    "symphony_portal": set(),
    "policies": {"symphony_portal"},
    "reports": {"symphony_portal", "policies"},
    "acknowledgements": {"symphony_portal", "policies", "reports"},
    "approvals": {"symphony_portal", "policies"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_it_keeps_imports_pointing_one_way(app):
    offending = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        wrong = imported_apps(path) - ALLOWED[app] - {app}
        if wrong:
            offending.append(f"{path.relative_to(ROOT)} imports {sorted(wrong)}")
    assert not offending, "\n".join(offending)


def test_it_finds_imports_it_is_looking_for(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from reports.selectors import report_counts\nimport acknowledgements.models\n")
    assert imported_apps(module) == {"reports", "acknowledgements"}
