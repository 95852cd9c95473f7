"""How the tests are laid out: no test module imports another one. Shared helpers live in
conftest.py fixtures or in helper modules (tests/<pkg>/helpers.py, chat.py, ...), so each test
module is collected once and can run alone or on any pytest-xdist worker."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _module_name(path: Path) -> str:
    return ".".join(("tests", *path.relative_to(TESTS).with_suffix("").parts))


def _is_test_module(name: str) -> bool:
    """`tests.x.test_y` names a test module when tests/x/test_y.py exists."""
    parts = name.split(".")
    return parts[0] == "tests" and parts[-1].startswith("test_")


def imported_modules(source: str, path: Path) -> set[str]:
    """Every module that `source` (the text of `path`) imports anywhere, relative imports
    resolved; `from tests.x import test_y` also yields `tests.x.test_y`."""
    package = _module_name(path).rsplit(".", 1)[0].split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_no_test_module_imports_another_test_module() -> None:
    offenders = {
        str(path.relative_to(TESTS)): sorted(
            name
            for name in imported_modules(path.read_text("utf-8"), path)
            if _is_test_module(name) and (TESTS.parent / (name.replace(".", "/") + ".py")).is_file()
        )
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_every_form_of_import() -> None:
    probe = TESTS / "conversation" / "probe.py"  # never written: only its place in the tree matters
    source = (
        "import tests.conversation.test_a\n"
        "from tests.conversation.test_b import helper\n"
        "from tests.conversation import test_c\n"
        "from .test_d import thing\n"
        "from ..report.test_e import other\n"
        "def later():\n"
        "    from tests.conversation.test_f import late\n"
    )
    names = {name for name in imported_modules(source, probe) if _is_test_module(name)}
    assert names == {
        "tests.conversation.test_a",
        "tests.conversation.test_b",
        "tests.conversation.test_c",
        "tests.conversation.test_d",
        "tests.report.test_e",
        "tests.conversation.test_f",
    }


# Suites kept by concern: each runs many packages together through the real processes.
BY_CONCERN = {"privacy", "reliability", "security"}


def _package_for(folder: Path) -> Path | None:
    """The package a test folder mirrors: bot/<folder> first, then a top-level package."""
    root = TESTS.parent
    for candidate in (root / "bot" / folder, root / folder):
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def test_every_test_folder_mirrors_a_package_or_a_concern() -> None:
    folders = sorted(
        path.parent.relative_to(TESTS)
        for path in TESTS.rglob("test_*.py")
        if path.parent != TESTS and "__pycache__" not in path.parts
    )
    strays = {
        str(folder)
        for folder in folders
        if folder.parts[0] not in BY_CONCERN and _package_for(folder) is None
    }
    assert strays == set()


def test_the_mirror_check_knows_packages_from_strays() -> None:
    assert _package_for(Path("conversation")) == TESTS.parent / "bot" / "conversation"
    assert _package_for(Path("channels") / "email") == TESTS.parent / "channels" / "email"
    assert _package_for(Path("engine")) is None
    assert _package_for(Path("email")) is None
