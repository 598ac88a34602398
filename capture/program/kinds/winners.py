"""Winners banner graphic (lotteries): a title over the winners' names, one per line."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QPainter

from capture.program.kinds.drawn import DrawnLayer
from capture.program.kinds.panel import heading_and_body
from capture.properties import Kind, setting


@dataclass(frozen=True, slots=True)
class WinnersSettings:
    title: str = setting("恭喜中奖", "Title")
    names: str = setting("用户A\n用户B\n用户C", "Winners", multiline=True)
    fill: str = setting("#E0161616", "Panel colour", kind=Kind.COLOR)
    accent: str = setting("#FFFFCC00", "Accent colour", kind=Kind.COLOR)
    text_color: str = setting("#FFFFFFFF", "Text colour", kind=Kind.COLOR)


class WinnersLayer(DrawnLayer[WinnersSettings]):
    kind = "winners"
    label = "Winners banner"
    Settings = WinnersSettings
    graphic = True

    def draw(self, painter: QPainter, width: int, height: int, now_ns: int) -> None:
        s = self.settings
        names = "\n".join(n.strip() for n in s.names.splitlines() if n.strip())
        heading_and_body(
            painter, width, height, s.title, names, s.fill, s.accent, s.text_color, 0.3
        )
