"""Refresh the translation sources: `python -m app.i18n_update` (also `make translations`).

Runs PySide6's `lupdate` over every Python file of the console (`self.tr`, `QCoreApplication.
translate`), plus the text that is declared as data and translated where it is shown — the
settings' labels, units, help and choices (context "Properties"), the layer kinds and voice
stages' titles and the canvas sizes ("Properties"), the filters' names ("Filters"), the
platforms' names ("Destinations") and the templates of the `Notice`s the layers without Qt
send up ("Notice"). Existing translations are
kept; new text arrives unfinished, and `tests/test_i18n.py` fails until it is translated.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from app.i18n import CHINESE, source_file

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "capture", "streaming", "widgets")


def _modules(package: str) -> Iterator[object]:
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, f"{package}."):
        if info.name.startswith("app.cli") or info.name == __name__:
            continue  # command-line handlers: English help for the terminal only
        try:
            yield importlib.import_module(info.name)
        except Exception as exc:  # an optional dependency missing: its text is not offered
            print(f"skipped {info.name}: {exc}", file=sys.stderr)


def declared_texts() -> set[tuple[str, str]]:
    """(context, text) for every text declared as data in the capture package."""
    from capture.properties import properties

    found: set[tuple[str, str]] = set()
    for module in _modules("capture"):
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                for prop in properties(value):
                    texts = [prop.label, prop.unit, prop.help] + [c[1] for c in prop.choices]
                    found.update(("Properties", t) for t in texts if t)
    from capture.filters import FILTERS
    from capture.program.kinds import LAYER_KINDS
    from capture.voice.settings import STAGES

    found.update(("Filters", cls.label) for cls in FILTERS.values() if cls.label)
    found.update(("Properties", cls.label) for cls in LAYER_KINDS.values() if cls.label)
    found.update(("Properties", kind.title) for kind in STAGES if kind.title)
    from capture.program.canvas import CANVAS_LABELS

    found.update(("Properties", label) for label in CANVAS_LABELS.values())
    from app.destinations import PRESETS

    found.update(("Destinations", preset.name) for preset in PRESETS)
    found.update(("Notice", template) for template in notice_templates())
    return found


def notice_templates() -> set[str]:
    """The literal templates of every `Notice("...")` / `template("...")` in the sources (streaming/ and capture/
    build them without Qt; `app.i18n.translated` looks them up in context "Notice")."""
    found: set[str] = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("Notice", "template")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _declarations_file(texts: set[tuple[str, str]], folder: Path) -> Path:
    path = folder / "declared_texts.py"
    lines = ["from PySide6.QtCore import QCoreApplication", ""]
    lines += [f"QCoreApplication.translate({c!r}, {t!r})" for c, t in sorted(texts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sources() -> list[Path]:
    return sorted(
        p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "cli" not in p.relative_to(ROOT).parts
    )


def update(languages: tuple[str, ...] = (CHINESE,)) -> None:
    """Rewrite the `.ts` of each language from the sources (translations kept)."""
    import PySide6

    lupdate = str(Path(PySide6.__file__).with_name("lupdate"))
    with tempfile.TemporaryDirectory() as folder:
        declared = _declarations_file(declared_texts(), Path(folder))
        for language in languages:
            target = source_file(language)
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    lupdate,
                    "-locations",
                    "none",
                    "-no-obsolete",
                    "-target-language",
                    language,
                    *map(str, sources()),
                    str(declared),
                    "-ts",
                    str(target),
                ],
                check=True,
            )


if __name__ == "__main__":
    update()
