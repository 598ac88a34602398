"""Pinned question graphic: the buyer's question the host is answering, and who asked."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPainter

from capture.program.kinds.drawn import DrawnLayer
from capture.program.kinds.panel import heading_and_body
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class PinnedQuestionSettings:
    question: str = setting("这款适合敏感肌吗？", "Question", multiline=True)
    asker: str = setting("", "Asked by")
    fill: str = setting("#E0FFFFFF", "Panel colour", kind=Kind.COLOR)
    accent: str = setting("#FF0A84FF", "Accent colour", kind=Kind.COLOR)
    text_color: str = setting("#FF202020", "Text colour", kind=Kind.COLOR)


class PinnedQuestionLayer(DrawnLayer[PinnedQuestionSettings]):
    kind = "pinned_question"
    label = "Pinned question"
    Settings = PinnedQuestionSettings
    graphic = True

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        heading = f"{s.asker} 问：" if s.asker else "观众提问"
        heading_and_body(
            painter, width, height, heading, s.question, s.fill, s.accent, s.text_color
        )
