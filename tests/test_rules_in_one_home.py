"""Who may do what is written in one place: each app's ``permissions.py``, over facts from the trust core.

Read from the source (Python with ``ast``, templates as text), as ``test_dependencies.py`` does for
imports, so a role expression written anywhere else fails here even if no test runs that line.

A *role expression* names a role to decide something: a role fact of a person (``user.is_hr``,
``user.is_head_teacher``, ``user.has_role(...)``, the admin flags ``is_superuser``/``is_staff``), a
lookup through roles (``role_assignments__role=...``, ``.filter(role=...)``) or a comparison with a
role (``role == Role.HR``). Reach facts (``user.sees_whole_trust``, ``user.headed_school_ids``) are
what QuerySets scope by, and ``User.objects.holding(Role.X, school=...)`` is how code asks who holds
a role: neither is a role expression.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["symphony_portal", "policies", "reports", "acknowledgements", "approvals", "bench"]

# Where role expressions belong: the permission modules and the trust core that defines the facts.
# Routing asks who holds a role through holding() and whether a handler still fits through
# reports.permissions, so it needs no exception.
ALLOWED = {
    "symphony_portal/trust/models.py": "the trust core: defines the role facts and holding()",
}

ROLE_FACTS = {
    "is_hr",
    "is_head_teacher",
    "is_executive_head",
    "is_chair_of_trustees",
    "has_role",
    "is_superuser",
    "is_staff",
    "role_assignments",
    "_roles",
}
ROLE_MEMBERS = {"HEAD_TEACHER", "EXECUTIVE_HEAD", "HR", "CHAIR_OF_TRUSTEES"}
LOOKUPS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "annotate", "Q"}
TEMPLATE_FACTS = re.compile(r"\.(" + "|".join(sorted(ROLE_FACTS)) + r")\b")


def _is_role_member(node: ast.AST) -> bool:
    """``Role.HR`` and the like (also inside a literal set, list or tuple)."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id == "Role" and node.attr in ROLE_MEMBERS
    if isinstance(node, ast.Set | ast.List | ast.Tuple):
        return any(_is_role_member(element) for element in node.elts)
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def role_expressions(source: str) -> list[tuple[int, str]]:
    """Every role expression in a Python module, with its line and what it is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in ROLE_FACTS:
            found.append((node.lineno, f".{node.attr}"))
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "role_assignments" in node.value
        ):
            found.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                name = keyword.arg or ""
                if name.startswith("role_assignments") or (
                    _call_name(node) in LOOKUPS and (name == "role" or name.startswith("role__"))
                ):
                    found.append((node.lineno, f"{_call_name(node)}({name}=...)"))
        elif isinstance(node, ast.Compare) and any(
            _is_role_member(operand) for operand in [node.left, *node.comparators]
        ):
            found.append((node.lineno, "comparison with a Role"))
    return found


def python_files() -> list[Path]:
    files = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or path.name == "permissions.py" or relative in ALLOWED:
                continue
            files.append(path)
    return files


def test_it_finds_no_role_expression_outside_the_permission_modules():
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in python_files()
        for line, what in role_expressions(path.read_text(encoding="utf-8"))
    ]
    assert offending == [], "\n".join(offending)


def test_it_finds_no_role_expression_in_a_template():
    offending = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "templates").rglob("*"))
        if path.is_file()
        for match in TEMPLATE_FACTS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offending == [], "\n".join(offending)


def test_it_has_a_permission_module_in_every_app():
    for app in ["symphony_portal/trust", "policies", "reports", "acknowledgements", "approvals"]:
        assert (ROOT / app / "permissions.py").is_file(), app


def test_it_keeps_the_allow_list_small_and_true():
    assert len(ALLOWED) <= 2
    for path in ALLOWED:
        assert (ROOT / path).is_file(), path


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("if user.is_hr or user.is_executive_head:\n    pass\n", [(1, ".is_hr"), (1, ".is_executive_head")]),
        ("x = request.user.is_superuser\n", [(1, ".is_superuser")]),
        ("ok = person.has_role(role)\n", [(1, ".has_role")]),
        (
            "q = User.objects.filter(role_assignments__role=Role.HR)\n",
            [(1, "filter(role_assignments__role=...)")],
        ),
        ("q = RoleAssignment.objects.filter(role=Role.HR)\n", [(1, "filter(role=...)")]),
        ("q = RoleAssignment.objects.exclude(role__in=roles)\n", [(1, "exclude(role__in=...)")]),
        ("list_filter = ['role_assignments__role']\n", [(1, "'role_assignments__role'")]),
        ("if assignment.role == Role.HEAD_TEACHER:\n    pass\n", [(1, "comparison with a Role")]),
        ("if role in {Role.HR, Role.EXECUTIVE_HEAD}:\n    pass\n", [(1, "comparison with a Role")]),
        # Not role expressions: asking the trust core who holds a role, reach facts, building data.
        ("heads = User.objects.active().holding(Role.HEAD_TEACHER, school=school)\n", []),
        ("if user.sees_whole_trust:\n    ids = user.headed_school_ids\n", []),
        ("RoleAssignment(user=person, role=Role.HR)\n", []),
        ("if role in Role.values:\n    pass\n", []),
    ],
)
def test_it_finds_what_it_looks_for(source, expected):
    assert role_expressions(source) == expected


def test_it_finds_a_role_fact_in_a_template():
    text = "{% if user.is_hr or user.is_superuser %}x{% endif %}{% if user|can_use_admin %}y{% endif %}"
    assert [m.group(0) for m in TEMPLATE_FACTS.finditer(text)] == [".is_hr", ".is_superuser"]
