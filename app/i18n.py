"""The console's language: Simplified Chinese or English, chosen by the system locale unless
the host picked one (settings section "ui", key "language").

The translation source is `app/translations/livedesk_zh_CN.ts` (Qt Linguist XML, kept in the
repository and refreshed by `python -m app.i18n_update`). Qt loads only compiled `.qm` files,
so the first start after the `.ts` changes compiles it with PySide6's `lrelease` into the data
folder, named by the source's hash: a fresh clone, an edited translation and several checkouts
side by side all get the right one, and nothing binary is committed. English is the source
text, so it needs no file.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.paths import APP_NAME, data_dir, private_dir
from app.settings import Settings
from streaming.notice import Notice

log = logging.getLogger(__name__)

SECTION = "ui"
AUTO = "auto"
CHINESE = "zh_CN"
ENGLISH = "en"
#: (value, name shown in the language menu) — each name in its own language.
LANGUAGES: tuple[tuple[str, str], ...] = ((CHINESE, "简体中文"), (ENGLISH, "English"))
TRANSLATIONS_DIR = Path(__file__).with_name("translations")
#: Qt's own catalogues (standard buttons such as Yes/No/Cancel, file dialogs).
QT_CATALOGUES = ("qtbase",)


def saved_language(settings: Settings) -> str:
    """What the host picked: a value of `LANGUAGES`, or `AUTO` (follow the system)."""
    value = settings.section(SECTION).get("language", AUTO)
    return value if value in dict(LANGUAGES) else AUTO


def save_language(settings: Settings, language: str) -> None:
    settings.update_section(SECTION, {"language": language})


def system_language(locale: QLocale | None = None) -> str:
    """Chinese for a Chinese system (any script: a Traditional reader still reads Simplified
    better than English), English otherwise."""
    locale = locale or QLocale.system()
    return CHINESE if locale.language() == QLocale.Language.Chinese else ENGLISH


def effective_language(settings: Settings) -> str:
    chosen = saved_language(settings)
    return system_language() if chosen == AUTO else chosen


def source_file(language: str) -> Path:
    return TRANSLATIONS_DIR / f"{APP_NAME}_{language}.ts"


def cache_dir() -> Path:
    return private_dir(data_dir() / "translations")


def lrelease() -> str | None:
    """PySide6's `lrelease` (next to the package, or its `pyside6-lrelease` wrapper)."""
    import PySide6

    bundled = Path(PySide6.__file__).with_name("lrelease")
    if bundled.exists():
        return str(bundled)
    return shutil.which("pyside6-lrelease")


def compiled(language: str) -> Path | None:
    """The `.qm` for `language`, compiled from its `.ts` if not done yet; None (logged) if
    there is no source or it cannot be compiled — the console then shows English."""
    source = source_file(language)
    try:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    except OSError:
        log.warning("no translation source %s", source)
        return None
    target = cache_dir() / f"{source.stem}-{digest}.qm"
    if target.exists():
        return target
    tool = lrelease()
    if tool is None:
        log.warning("lrelease not found: cannot compile %s", source)
        return None
    partial = target.with_suffix(".part.qm")
    result = subprocess.run(
        [tool, "-silent", str(source), "-qm", str(partial)], capture_output=True, text=True
    )
    if result.returncode != 0 or not partial.exists():
        log.warning("lrelease failed on %s: %s", source, result.stderr.strip())
        return None
    partial.replace(target)
    return target


def install(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for `language` on `app` (none for English); keep the returned
    list alive as long as the translation is wanted, `uninstall` to go back to English."""
    if language == ENGLISH:
        return []
    translators: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for catalogue in QT_CATALOGUES:
        translator = QTranslator(app)
        if translator.load(f"{catalogue}_{language}", qt_dir):
            translators.append(translator)
    own = compiled(language)
    translator = QTranslator(app)
    if own is not None and translator.load(str(own)):
        translators.append(translator)
    elif own is not None:
        log.warning("could not load %s", own)
    for translator in translators:
        app.installTranslator(translator)
    return translators


def uninstall(app: QCoreApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)


def translated(message: str) -> str:
    """`message` in the console's language: a `Notice` from the layers below (publisher,
    recorder, devices) through its template (context "Notice", arguments translated too);
    plain text as it is. A translation whose placeholders do not match falls back to English."""
    if not isinstance(message, Notice):
        return message
    args = {k: translated(v) if isinstance(v, str) else v for k, v in message.args.items()}
    template = QCoreApplication.translate("Notice", message.template)
    try:
        return template.format(**args)
    except (KeyError, IndexError, ValueError):
        log.warning("translation of %r does not fit its arguments", message.template)
        return message.template.format(**args)
