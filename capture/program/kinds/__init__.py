"""Every layer kind, by its stable name (saved scenes name layers by kind). Adding a kind:
one module with a `LayerRenderer` subclass and its `Settings`, and its line here."""

from __future__ import annotations

from typing import Any

from capture.program.kinds.color import ColorLayer
from capture.program.kinds.countdown import CountdownLayer
from capture.program.kinds.image import ImageLayer
from capture.program.kinds.pinned_question import PinnedQuestionLayer
from capture.program.kinds.pk_scoreboard import PkScoreboardLayer
from capture.program.kinds.product_card import ProductCardLayer
from capture.program.kinds.text import TextLayer
from capture.program.kinds.video import CONSOLE_CAMERA, VideoLayer
from capture.program.kinds.winners import WinnersLayer
from capture.program.layer import LayerRenderer

_ALL: tuple[type[LayerRenderer[Any]], ...] = (
    VideoLayer,
    ImageLayer,
    TextLayer,
    ColorLayer,
    CountdownLayer,
    ProductCardLayer,
    WinnersLayer,
    PinnedQuestionLayer,
    PkScoreboardLayer,
)

#: kind → renderer class, in the order the "Add layer" menu lists them.
LAYER_KINDS: dict[str, type[LayerRenderer[Any]]] = {cls.kind: cls for cls in _ALL}

__all__ = ["CONSOLE_CAMERA", "LAYER_KINDS"]
