"""The host's keyword-lottery panel (口令抽奖): keyword, window, winners, prize, who may enter;
then the live entrant count, time left on the room clock, the commitment and the winners."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.lottery.live import DRAWN, LotteryView
from app.sale.controller import CommerceController

REFRESH_MS = 250  # the live count at 4 Hz: a storm's updates never pace the painting


class LotteryPanel(QWidget):
    def __init__(self, controller: CommerceController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.keyword = QLineEdit()
        self.keyword.setPlaceholderText(self.tr("e.g. 福袋来了"))
        self.window_s = QSpinBox()
        self.window_s.setRange(5, 3600)
        self.window_s.setValue(60)
        self.window_s.setSuffix(self.tr(" s"))
        self.winners = QSpinBox()
        self.winners.setRange(1, 1000)
        self.winners.setValue(3)
        self.prize = QLineEdit()
        self.exact = QCheckBox(self.tr("Exact keyword only"))
        self.buyers_only = QCheckBox(self.tr("Only viewers who ordered in this show"))
        self.start = QPushButton(self.tr("Start lottery"))
        self.draw = QPushButton(self.tr("Draw winners"))
        form = QFormLayout()
        form.addRow(self.tr("Keyword"), self.keyword)
        form.addRow(self.tr("Entry window"), self.window_s)
        form.addRow(self.tr("Winners"), self.winners)
        form.addRow(self.tr("Prize"), self.prize)
        form.addRow(self.exact)
        form.addRow(self.buyers_only)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start)
        buttons.addWidget(self.draw)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.commitment = QLabel()
        self.commitment.setWordWrap(True)
        self.winner_list = QListWidget()
        column = QVBoxLayout(self)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.status)
        column.addWidget(self.commitment)
        column.addWidget(self.winner_list, 1)
        self.start.clicked.connect(self.start_lottery)
        self.draw.clicked.connect(controller.draw_lottery)
        controller.state.lotteryChanged.connect(self._winners)
        self._shown_winners: list[tuple[str, str]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def start_lottery(self) -> None:
        self.controller.start_lottery(
            self.keyword.text(),
            float(self.window_s.value()),
            self.winners.value(),
            self.prize.text(),
            exact=self.exact.isChecked(),
            buyers_only=self.buyers_only.isChecked(),
        )

    def _winners(self, lottery: LotteryView) -> None:
        """The winners when they change; every other change waits for the 4 Hz refresh."""
        if lottery.winners == self._shown_winners:
            return
        self._shown_winners = list(lottery.winners)
        self.winner_list.clear()
        self.winner_list.addItems([name for _uid, name in lottery.winners])
        self.refresh()

    def refresh(self) -> None:
        lottery = self.controller.state.lottery
        running = lottery is not None and lottery.state != DRAWN
        self.start.setEnabled(not running)
        if lottery is None:
            self.draw.setEnabled(False)
            self.status.setText(self.tr("No lottery yet."))
            self.commitment.clear()
            return
        left = self.controller.ms_left(lottery.end_ms)
        self.draw.setEnabled(running and left <= 0)
        if lottery.state == DRAWN:
            text = self.tr("Drawn: %1 entrants, %2 winners.")
            text = text.replace("%1", str(lottery.entrants)).replace(
                "%2", str(len(lottery.winners))
            )
        elif left > 0:
            text = self.tr("「%1」: %2 entrants, %3 s left").replace("%1", lottery.keyword)
            text = text.replace("%2", str(lottery.entrants)).replace(
                "%3", str(int(left // 1000) + 1)
            )
        else:
            text = self.tr("Entries closed: %1 entrants, %2 late. Draw now.")
            text = text.replace("%1", str(lottery.entrants)).replace("%2", str(lottery.late))
        if self.status.text() != text:
            self.status.setText(text)
        commitment = self.tr("Commitment: %1").replace("%1", lottery.commitment)
        if self.commitment.text() != commitment:
            self.commitment.setText(commitment)
