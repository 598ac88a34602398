"""The post-show report written from the console (Insights ▸ Report…, offered after Stop): the
same `write_report` as `livedesk report`, on a worker thread so the window keeps painting."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.insights.journal import JournalError
from app.insights.report import ReportError, default_folder, write_report


class ReportJob(QObject):
    finished = Signal(object)  # Path of report.html
    failed = Signal(str)  # plain words

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, journal: Path | None, folder: Path | None = None) -> bool:
        """Write the report of `journal` (into its default folder); False if one is running."""
        if self.busy:
            return False
        if journal is None:
            self.failed.emit(self.tr("There is no show yet to report on."))
            return True
        out = folder if folder is not None else default_folder(journal)
        self._thread = threading.Thread(
            target=self._run, args=(journal, out), name="insights-report", daemon=True
        )
        self._thread.start()
        return True

    def _run(self, journal: Path, folder: Path) -> None:
        try:
            files = write_report(journal, folder)
        except (JournalError, ReportError) as exc:
            self.failed.emit(str(exc))
            return
        self.finished.emit(files.html)
