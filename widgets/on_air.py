"""The on-air indicators: a badge over the preview, a strip in the status bar and the window
title, all saying the same thing — live or not, time on air, stream health — from one
`OnAirClock`. Hidden badge when not on air: the preview stays clean for rehearsals."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.on_air import FAIR, GOOD, POOR, OnAirClock

_COLOURS = {"live": "#d22", "reconnecting": "#c60", "connecting": "#c90"}
MARGIN = 10


def elapsed_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def health_text(health: str) -> str:
    return {
        GOOD: QCoreApplication.translate("OnAir", "signal good"),
        FAIR: QCoreApplication.translate("OnAir", "signal fair"),
        POOR: QCoreApplication.translate("OnAir", "signal poor"),
    }.get(health, "")


def on_air_text(clock: OnAirClock) -> str:
    """One line: "● LIVE 00:12:34 · signal good", "Reconnecting… 00:12:34 (paused)", "Not live"."""
    elapsed = elapsed_text(clock.seconds())
    if clock.live:
        health = health_text(clock.health)
        text = QCoreApplication.translate("OnAir", "● LIVE {elapsed}").format(elapsed=elapsed)
        return f"{text} · {health}" if health else text
    if clock.paused:
        return QCoreApplication.translate("OnAir", "Reconnecting… {elapsed} (paused)").format(
            elapsed=elapsed
        )
    if clock.state == "connecting":
        return QCoreApplication.translate("OnAir", "Connecting…")
    return QCoreApplication.translate("OnAir", "Not live")


def style_for(clock: OnAirClock) -> str:
    colour = _COLOURS.get(clock.state)
    if colour is None:
        return "QLabel { color: palette(window-text); padding: 2px 8px; }"
    return (
        f"QLabel {{ background: {colour}; color: white; font-weight: bold; "
        "padding: 2px 8px; border-radius: 4px; }"
    )


class OnAirBadge(QLabel):
    """The badge in the preview's bottom-left corner (the question strip is at the top, the
    frame readout bottom right), shown while connecting or on air."""

    def __init__(self, clock: OnAirClock, preview: QWidget) -> None:
        super().__init__(preview)
        self.setObjectName("on-air-badge")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.setFont(font)
        self._clock = clock
        clock.changed.connect(self.refresh)
        preview.installEventFilter(self)
        self.refresh()

    def refresh(self) -> None:
        clock = self._clock
        self.setText(on_air_text(clock))
        self.setStyleSheet(style_for(clock))
        self.adjustSize()
        self._place()
        self.setVisible(clock.on_air or clock.state == "connecting")
        self.raise_()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(MARGIN, max(0, parent.height() - self.height() - MARGIN))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False


class OnAirStatus(QLabel):
    """The same line in the status bar (left, always shown) and in the window title."""

    def __init__(self, clock: OnAirClock, window: QWidget) -> None:
        super().__init__()
        self.setObjectName("on-air-status")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._clock = clock
        self._window = window
        clock.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        clock = self._clock
        text = on_air_text(clock)
        self.setText(text)
        self.setStyleSheet(style_for(clock))
        title = QCoreApplication.translate("OnAir", "LiveDesk live console")
        self._window.setWindowTitle(f"{text} — {title}" if clock.on_air else title)
