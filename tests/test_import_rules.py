"""The import rules of DESIGN.md's package table, and the rooms of `ui/`, checked on the source.

The layout is the architecture: a rule broken here is a layer the newcomer's map no longer
describes. Imports are read with `ast` (nothing is imported), local imports included.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "moderator"

# Top-level modules every package may use: the version and app name, settings, credentials,
# the package resources (the top-level resources/, mapped onto moderator.resources), logging,
# the private modes of the files callers' names are kept in, the one message API and the one
# listener type.
SHARED = {
    "moderator",
    "settings",
    "credentials",
    "resources",
    "logs",
    "private",
    "messages",
    "dispatch",
}
# Of those, the ones domain/ uses (the roster's and the door's `changed`) stay stdlib-only.
STDLIB_ONLY_SHARED = {"messages", "dispatch"}

# What ui/ may import from control/: its typed interface, and the plain values those calls
# answer with. Each exception is a frozen value the views show, never a service to act on.
UI_FROM_CONTROL = {
    "moderator.control.interface",  # the Protocols the views act through
    # ActionResult, BulkResult: what every interface coroutine returns (the interface
    # re-exports nothing, so the views name them where they are defined)
    "moderator.control.results",
    # TwilioStatus, ConnectionState: how the last REST call went, shown by the status bar
    "moderator.control.status",
}

# DESIGN.md, "Packages and the rule between them": package -> the packages it may import.
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "store": {"domain"},
    "server": {"domain", "store"},
    "control": {"domain", "store"},
    "setup": {"domain", "store", "control"},
    "sim": {"domain"},
    # The setup assistant's pages drive setup's steps (account check, public URL, number).
    "ui": {"domain", "control", "setup"},
    # cli.py's sub-commands, one module each. DESIGN.md gives cli.py "app, store"; the commands
    # also check a PIN and a public URL with domain's rules (pin_guard, twilio_words), name
    # callers with domain's address book, run the simulator's own command line (sim) and
    # connect-number (setup), and read the saved settings (settings_flow) and the display's
    # libraries (system_libs), as cli.py did before the split.
    "commands": {"app", "store", "domain", "sim", "setup", "settings_flow", "system_libs"},
}

# Third-party packages a layer must never touch: Qt stays in the outer layer, the network
# (aiohttp, the twilio SDK) stays out of the window and the journal. The server and the
# simulator use twilio's RequestValidator; control's SDK client runs on aiohttp.
QT = {"PySide6", "qasync", "shiboken6"}
NEVER: dict[str, set[str]] = {
    "store": QT | {"aiohttp", "twilio"},
    "server": QT,
    "control": QT,
    "setup": QT,
    "sim": QT,
    "ui": {"aiohttp", "twilio"},
}

# The window's rooms: the tiles, the log and the look are built on, never build on the rest.
UI_ROOMS = {"grid", "door", "insight", "log", "setup", "shell", "look"}
ROOM_MAY_NOT: dict[str, set[str]] = {
    "grid": {"shell", "door", "setup", "insight"},
    "log": {"shell", "door", "setup", "insight"},
    "look": UI_ROOMS - {"look"},
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def _imports(path: Path) -> set[str]:
    """Every module name an import statement in the file names (`from a import b` gives a, a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _package(module: str) -> str | None:
    """`moderator.store.journal` -> store; top-level modules by their own name."""
    parts = module.split(".")
    if parts[0] != "moderator":
        return None
    return parts[1] if len(parts) > 1 else "moderator"


def _room(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] == ["moderator", "ui"] and len(parts) > 2 and parts[2] in UI_ROOMS:
        return parts[2]
    return None


def _existing(name: str) -> bool:
    """`from moderator.ui import theme` names a module; `from moderator import APP_NAME` a value."""
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


MODULES = _modules()


def _assert_no_import(of: Callable[[str], bool], naming: Callable[[str], bool]) -> None:
    """No module `of` accepts imports a name that `naming` accepts; the failure lists each one."""
    broken = [
        f"{module} imports {name}"
        for module, path in MODULES
        if of(module)
        for name in _imports(path)
        if naming(name)
    ]
    assert not broken, "\n".join(sorted(broken))


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_what_the_design_table_allows(package: str) -> None:
    allowed = MAY_IMPORT[package] | SHARED | {package}
    _assert_no_import(
        of=lambda module: _package(module) == package,
        naming=lambda name: _package(name) not in allowed | {None} and _existing(name),
    )


@pytest.mark.parametrize("package", sorted(NEVER))
def test_a_layer_never_touches_the_libraries_of_another(package: str) -> None:
    _assert_no_import(
        of=lambda module: _package(module) == package,
        naming=lambda name: name.split(".")[0] in NEVER[package],
    )


def test_the_ui_acts_on_control_through_its_interface_only() -> None:
    """The views never hold a concrete service (Moderator, DoorControl, RecordingControl)."""
    _assert_no_import(
        of=lambda module: _package(module) == "ui",
        naming=lambda name: (
            _package(name) == "control"
            and _existing(name)
            and not any(name == m or name.startswith(m + ".") for m in UI_FROM_CONTROL)
        ),
    )


def test_the_shared_message_and_listener_modules_import_the_standard_library_only() -> None:
    _assert_no_import(
        of=lambda module: _package(module) in STDLIB_ONLY_SHARED,
        naming=lambda name: name.split(".")[0] not in sys.stdlib_module_names | {"__future__"},
    )


def test_domain_imports_the_standard_library_only() -> None:
    _assert_no_import(
        of=lambda module: _package(module) == "domain",
        naming=lambda name: (
            name.split(".")[0] not in sys.stdlib_module_names | {"moderator", "__future__"}
        ),
    )


@pytest.mark.parametrize("room", sorted(ROOM_MAY_NOT))
def test_the_grid_the_log_and_the_look_build_on_no_other_room(room: str) -> None:
    _assert_no_import(
        of=lambda module: _room(module) == room,
        naming=lambda name: _room(name) in ROOM_MAY_NOT[room],
    )


def test_every_room_says_what_it_is_for() -> None:
    for room in sorted(UI_ROOMS):
        init = ROOT / "ui" / room / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"ui/{room}/__init__.py needs a docstring"
        assert len(doc.splitlines()) == 1, f"ui/{room}/__init__.py: one line says what it is for"


def test_the_rules_see_every_package() -> None:
    """A new package must be placed in the table, not slip past it."""
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages <= set(MAY_IMPORT)


def test_the_wheel_lists_every_package() -> None:
    """pyproject.toml lists the packages (moderator.resources lives in the top-level resources/,
    which a find cannot map): a package left off the list would be missing from the wheel."""
    tomllib = pytest.importorskip("tomllib")
    with (ROOT.parent / "pyproject.toml").open("rb") as file:
        setuptools = tomllib.load(file)["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT.parent).parts) for init in ROOT.rglob("__init__.py")
    }
    assert set(setuptools["packages"]) == on_disk | {
        "moderator.resources",
        "moderator.resources.icons",
    }
    assert setuptools["package-dir"] == {"moderator.resources": "resources"}
    assert (ROOT.parent / "resources" / "__init__.py").is_file()
