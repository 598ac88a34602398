"""Installs the Insights panel: live charts of the running show's journal, the host's
bookmarks, and the post-show report (Report…, offered again when the host stops the show)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices

from app.console_core import ConsoleCore
from app.insights.live import LiveInsights
from app.insights.report_job import ReportJob
from widgets.insights_panel import InsightsPanel
from widgets.main_window import MainWindow


def install(window: MainWindow, core: ConsoleCore) -> None:
    panel = InsightsPanel()
    window.add_dock(
        QCoreApplication.translate("InsightsFeature", "Insights"), panel, name="insights"
    )
    audience = core.audience

    def journal() -> Path | None:
        service = audience.service
        return None if service is None else service.path

    live = LiveInsights(journal, parent=panel)
    live.updated.connect(panel.show_view)
    live.problem.connect(panel.show_problem)
    live.start()
    window.closing.connect(live.stop)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(live.stop)

    def bookmark(label: str) -> None:
        if audience.service is None:
            window.show_notice(
                QCoreApplication.translate("InsightsFeature", "No show is open to bookmark.")
            )
            return
        audience.state.bookmark(label)

    panel.bookmark_requested.connect(bookmark)
    job = ReportJob(parent=panel)

    def report() -> None:
        if job.start(journal()):
            panel.report_button.setEnabled(False)
            panel.show_problem(
                QCoreApplication.translate("InsightsFeature", "Writing the show's report…")
            )

    def done(html: Path) -> None:
        panel.report_button.setEnabled(True)
        panel.show_problem(
            QCoreApplication.translate("InsightsFeature", "Report written: {path}").format(
                path=html
            )
        )
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(html)))

    def failed(text: str) -> None:
        panel.report_button.setEnabled(True)
        window.show_notice(
            QCoreApplication.translate("InsightsFeature", "Report: {problem}").format(problem=text)
        )

    panel.report_requested.connect(report)
    job.finished.connect(done)
    job.failed.connect(failed)
    was_live = [False]

    def on_state(state: str, _message: str) -> None:
        if state == "live":
            was_live[0] = True
        elif state == "idle" and was_live[0]:
            was_live[0] = False
            window.show_notice(
                QCoreApplication.translate(
                    "InsightsFeature",
                    "The show has stopped. Insights ▸ Report… writes its report "
                    "(summary, charts, every event as CSV).",
                )
            )
            panel.report_button.setDefault(True)

    core.golive.state_changed.connect(on_state)
