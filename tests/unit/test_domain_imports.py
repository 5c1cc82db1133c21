"""The domain stands alone: it imports only the standard library, eventsourcing, argon2,
cryptography (sealing personal data with AES-GCM) and itself.

The platform, projections and workers depend on the domain, never the other way round; Flask,
Redis or a database driver in the domain would tie every rule to a way of running it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import mend.domain

DOMAIN = Path(mend.domain.__file__).parent
ALLOWED_PACKAGES = {"eventsourcing", "argon2", "cryptography"}
MODULES = sorted(DOMAIN.rglob("*.py"))


def package_of(path: Path) -> str:
    """The dotted package a source file belongs to, e.g. mend.domain."""
    parts = path.relative_to(DOMAIN.parent.parent).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]).removesuffix(".__init__")


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module a source imports, anywhere in it (functions and TYPE_CHECKING blocks too)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this file's package
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from mend import platform` imports mend.platform: judge each name it takes.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def allowed(module: str) -> bool:
    top = module.split(".")[0]
    if top == "mend":
        return module == "mend.domain" or module.startswith("mend.domain.")
    if top in ALLOWED_PACKAGES or top == "__future__":
        return True
    return top in sys.stdlib_module_names


def test_the_domain_has_modules_to_check():
    names = {package_of(path) if path.stem == "__init__" else path.stem for path in MODULES}
    assert {"mend.domain.case", "boundaries", "casework", "membership", "tenancy", "store"} <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_a_domain_module_imports_only_the_standard_library_eventsourcing_argon2_and_the_domain(
    path,
):
    found = imported_modules(path.read_text(), package_of(path))
    outside = [f"line {line}: {module}" for line, module in found if not allowed(module)]
    assert not outside, f"{path.name} imports from outside the domain: {outside}"


@pytest.mark.parametrize("module, ok", [
    ("datetime", True),
    ("collections.abc.Callable", True),
    ("eventsourcing.domain.event", True),
    ("argon2.PasswordHasher", True),
    ("mend.domain.case.Case", True),
    ("mend.domain", True),
    ("mend.platform.app", False),
    ("mend.projections", False),
    ("mend.workers.queue", False),
    ("mend.config.Settings", False),
    ("mend.domainx", False),
    ("flask.Flask", False),
    ("redis", False),
    ("psycopg", False),
])
def test_the_import_rule_tells_the_domain_and_its_allowed_libraries_from_the_rest(module, ok):
    assert allowed(module) is ok


def test_relative_imports_are_judged_by_where_they_lead():
    source = "from . import checks\nfrom ..platform import app\nfrom .. import workers\n"
    modules = [module for _, module in imported_modules(source, "mend.domain")]
    assert modules == ["mend.domain.checks", "mend.platform.app", "mend.workers"]
    assert [allowed(module) for module in modules] == [True, False, False]


def test_imports_hidden_in_functions_are_found_too():
    source = "def later():\n    import flask\n    from mend.workers import queue\n"
    assert imported_modules(source, "mend.domain") == [(2, "flask"), (3, "mend.workers.queue")]


def test_the_package_of_a_domain_module_is_mend_domain():
    assert package_of(DOMAIN / "case.py") == "mend.domain"
    assert package_of(DOMAIN / "__init__.py") == "mend.domain"


PROJECTIONS = sorted((DOMAIN.parent / "projections").rglob("*.py"))
#: What the read side may never import: the web layer, the job layer, or their libraries.
NOT_FOR_PROJECTIONS = ("mend.platform", "mend.workers", "flask", "marshmallow", "rq")


@pytest.mark.parametrize("path", PROJECTIONS, ids=lambda p: p.name)
def test_a_projection_module_imports_neither_the_platform_nor_the_web_libraries(path):
    package = "mend.projections"
    wrong = [
        (line, module) for line, module in imported_modules(path.read_text(), package)
        if any(module == bad or module.startswith(bad + ".") for bad in NOT_FOR_PROJECTIONS)
    ]
    assert not wrong, f"{path.name} imports {wrong}"


def test_the_projections_have_modules_to_check():
    assert {"reader", "queries", "metrics", "casebook"} <= {p.stem for p in PROJECTIONS}
