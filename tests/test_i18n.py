"""Chinese first: the real console and assistant windows in zh_CN show no English text a host
would have to read; the translation source is complete; the language follows the system unless
the host picked one."""

from __future__ import annotations

import asyncio
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QTabBar,
    QTableView,
    QWidget,
)

from app import i18n
from app.console_core import ConsoleCore
from app.i18n_update import notice_templates
from app.settings import Settings
from streaming.notice import Notice, message_of
from streaming.whip import WhipClient, WhipError
from widgets.audience_feature import AudienceViews
from widgets.main_window import MainWindow

#: Latin words a Chinese host reads as they are: names, units, protocols.
KEPT = {
    "LiveDesk", "WHIP", "WHEP", "Janus", "RNNoise", "LUFS", "dBFS", "dBTP", "dB", "fps",
    "kHz", "RMS", "NACK", "PLI", "PK", "SYNTHETIC", "Unix", "ws", "wss", "http", "https",
    "host", "camera", "screen", "test", "rtsp", "srt", "janus", "px", "ms", "MJPG", "YUYV",
    "kbit", "AGC", "GR", "Hz", "RTMP", "YouTube",
    "Language", "English",  # the language menu: findable by a host who reads neither well
}  # fmt: skip
_WORD = re.compile(r"[A-Za-z]{2,}")
_URL = re.compile(r"\b\w+://\S*")
_H = Qt.Orientation.Horizontal


def english_words(text: str) -> list[str]:
    """The words of `text` that are English a host would need to read (URLs, names and units
    excepted)."""
    return [w for w in _WORD.findall(_URL.sub("", text)) if w not in KEPT]


def visible_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text `root` and its children show, menus and tooltips too."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        name = f"{type(w).__name__}({w.objectName()})"
        if w.toolTip():
            yield name + ".toolTip", w.toolTip()
        if isinstance(w, QLabel | QAbstractButton):
            yield name, w.text()
        elif isinstance(w, QGroupBox):
            yield name, w.title()
        elif isinstance(w, QDockWidget):
            yield name, w.windowTitle()
        elif isinstance(w, QLineEdit):
            yield name + ".placeholder", w.placeholderText()
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield f"{name}[{i}]", w.itemText(i)
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                yield f"{name}[{i}]", w.tabText(i)
        elif isinstance(w, QMenu):
            yield name, w.title()
            for action in w.actions():
                yield f"{name}>{action.objectName()}", action.text()
        if isinstance(w, QTableView):
            model = w.model()
            for column in range(model.columnCount(QModelIndex())):
                yield f"{name}.header[{column}]", str(model.headerData(column, _H) or "")
        if w.isWindow():
            yield name + ".title", w.windowTitle()


@pytest.fixture
def chinese(qapp) -> Iterator[None]:
    translators = i18n.install(qapp, i18n.CHINESE)
    assert len(translators) == 2, "Qt's own and LiveDesk's catalogues"
    yield
    i18n.uninstall(qapp, translators)


def test_the_translation_source_is_complete() -> None:
    root = ET.parse(i18n.source_file(i18n.CHINESE)).getroot()
    unfinished = [
        m.findtext("source")
        for m in root.iter("message")
        if m.find("translation") is not None
        and (m.find("translation").get("type") == "unfinished" or not m.findtext("translation"))
    ]
    assert not unfinished, "run `make translations` and translate these: " + repr(unfinished)


def test_no_english_left_in_the_windows_in_chinese(qtbot, chinese) -> None:
    core = ConsoleCore()
    window = MainWindow(core)
    qtbot.addWidget(window)
    core.start()
    window.show()
    try:
        audience = window.findChild(AudienceViews, "audience-views")
        assert audience is not None
        assistant = audience.open_assistant()
        qtbot.wait(300)
        assert window.windowTitle() == "LiveDesk 直播控制台"
        found = [
            (where, text, english_words(text))
            for root in (window, assistant)
            for where, text in visible_texts(root)
            if english_words(text)
        ]
        assert not found, "\n".join(f"{w}: {t!r} {e}" for w, t, e in found)
    finally:
        window.close()
        core.shutdown()


def test_language_follows_the_system_unless_chosen(tmp_path) -> None:
    assert i18n.system_language(QLocale("zh_CN")) == i18n.CHINESE
    assert i18n.system_language(QLocale("zh_TW")) == i18n.CHINESE
    assert i18n.system_language(QLocale("en_US")) == i18n.ENGLISH
    assert i18n.system_language(QLocale("de_DE")) == i18n.ENGLISH
    settings = Settings(tmp_path / "s.json")
    assert i18n.saved_language(settings) == i18n.AUTO
    i18n.save_language(settings, i18n.ENGLISH)
    assert i18n.effective_language(settings) == i18n.ENGLISH
    i18n.save_language(settings, "xx")  # a hand-edited file: back to the system's
    assert i18n.saved_language(settings) == i18n.AUTO


def test_the_compiled_catalogue_follows_its_source(tmp_path, monkeypatch) -> None:
    """A fresh clone has no .qm: it is compiled once, and again when the source changes."""
    first = i18n.compiled(i18n.CHINESE)
    assert first is not None and first.exists()
    assert i18n.compiled(i18n.CHINESE) == first  # cached
    changed = tmp_path / "livedesk_zh_CN.ts"
    changed.write_bytes(i18n.source_file(i18n.CHINESE).read_bytes() + b"\n")
    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    second = i18n.compiled(i18n.CHINESE)
    assert second is not None and second != first and second.exists()


def test_a_notice_from_below_is_translated_where_it_is_shown(qapp, tmp_path) -> None:
    """The layers without Qt send `Notice`s: English text for logs, and a template with its
    arguments (a nested notice too) that the console translates; a translation whose
    placeholders do not fit falls back to English instead of failing."""
    source = tmp_path / "t.ts"
    source.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="zh_CN">'
        "<context><name>Notice</name>"
        "<message><source>Lost ({why}) retry in {wait} s…</source>"
        "<translation>中断（{why}），{wait} 秒后重试…</translation></message>"
        "<message><source>the disk is full</source><translation>磁盘已满</translation></message>"
        "<message><source>Bad {x}</source><translation>坏 {y}</translation></message>"
        "</context></TS>",
        encoding="utf-8",
    )
    qm = tmp_path / "t.qm"
    tool = i18n.lrelease()
    assert tool is not None
    subprocess.run([tool, "-silent", str(source), "-qm", str(qm)], check=True)
    notice = Notice("Lost ({why}) retry in {wait} s…", why=Notice("the disk is full"), wait=3)
    assert notice == "Lost (the disk is full) retry in 3 s…"
    assert message_of(ConnectionError(notice)) is notice  # str(exc) would drop the template
    assert i18n.translated(notice) == notice  # English: no catalogue
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    try:
        assert i18n.translated(notice) == "中断（磁盘已满），3 秒后重试…"
        assert i18n.translated(Notice("Bad {x}", x=1)) == "Bad 1"
        assert i18n.translated("plain text") == "plain text"
    finally:
        qapp.removeTranslator(translator)


def test_every_notice_is_in_the_translation_source() -> None:
    """A `Notice` template with no translation would reach a Chinese host in English."""
    root = ET.parse(i18n.source_file(i18n.CHINESE)).getroot()
    shipped = {
        m.findtext("source")
        for c in root.iter("context")
        if c.findtext("name") == "Notice"
        for m in c.iter("message")
        if m.findtext("translation")
    }
    assert notice_templates() <= shipped, sorted(notice_templates() - shipped)


def test_a_relay_that_cannot_be_reached_is_said_in_chinese(chinese) -> None:
    """The most common failure on going live, raised deep in the WHIP client, read by the
    host in Chinese: the sentence and the nested reason, only the address kept."""
    client = WhipClient("http://127.0.0.1:9/whip/live", None, timeout_s=5)

    async def offer() -> None:
        try:
            await client.offer("v=0\r\n")
        finally:
            await client.close()

    with pytest.raises(WhipError) as info:
        asyncio.run(offer())
    shown = i18n.translated(message_of(info.value))
    assert "连接被拒绝" in shown and "127.0.0.1:9" in shown
    assert not english_words(shown.replace("127.0.0.1:9", "")), shown
