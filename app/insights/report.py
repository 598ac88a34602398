"""The post-show report: one folder with `report.html` (a one-page summary and the charts,
images embedded so the file can be sent on its own), `report.pdf` (the same summary and
charts), `events.csv` and, with pyarrow installed, `events.parquet`.

The journal is only read (see `app.insights.journal`); the report's files are private (0600),
as the journal is: they hold viewers' names and messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import errno
import html
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from app.insights.charts import Chart, charts, png
from app.insights.export import parquet_available, write_tables
from app.insights.journal import open_journal, read_range
from app.insights.model import Insights, Summary
from app.paths import create_private_file, private_dir


class ReportError(Exception):
    """The report could not be written, in words a host understands."""


@dataclass(frozen=True, slots=True)
class ReportFiles:
    folder: Path
    html: Path
    pdf: Path
    csv: Path
    parquet: Path | None
    summary: Summary
    seconds: float


def default_folder(journal: Path) -> Path:
    """Where `livedesk report` and the console's Report… put a show's report."""
    from app.paths import data_dir

    return data_dir() / "reports" / journal.stem


def write_report(journal: Path, folder: Path) -> ReportFiles:
    """Read the show at `journal` and write its report into `folder` (created if missing).
    Raises `JournalError` for a journal that cannot be read, `ReportError` for a folder that
    cannot be written."""
    started = time.perf_counter()
    db = open_journal(journal)
    try:
        _prepare(folder)
        # The event tables are written on a thread with its own connection while this one
        # aggregates: SQLite releases the GIL while it scans, so the two overlap on two cores.
        tables = _Tables(journal, folder)
        tables.start()
        insights = Insights()
        read_range(db, insights)
        summary = insights.summary()
        drawn = list(charts(insights))
        try:
            html_path = _write_html(folder / "report.html", journal, summary, drawn)
            pdf_path = _write_pdf(folder / "report.pdf", journal, summary, drawn)
        except OSError as exc:
            raise ReportError(_cannot_write(folder, exc)) from exc
        finally:
            tables.join()
        if isinstance(tables.error, OSError):
            raise ReportError(_cannot_write(folder, tables.error)) from tables.error
        if tables.error is not None:
            raise tables.error
    finally:
        db.close()
    return ReportFiles(
        folder, html_path, pdf_path, tables.csv, tables.parquet, summary,
        time.perf_counter() - started,
    )  # fmt: skip


class _Tables(threading.Thread):
    """events.csv and (with pyarrow) events.parquet, on their own connection."""

    def __init__(self, journal: Path, folder: Path) -> None:
        super().__init__(name="livedesk-report-tables", daemon=True)
        self._journal = journal
        self.csv = folder / "events.csv"
        self.parquet = folder / "events.parquet" if parquet_available() else None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            db = open_journal(self._journal)
            try:
                write_tables(db, self.csv, self.parquet)
            finally:
                db.close()
        except BaseException as exc:
            self.error = exc


def _prepare(folder: Path) -> None:
    try:
        private_dir(folder)
        probe = folder / ".livedesk-write-test"
        create_private_file(probe)
        probe.unlink()
    except OSError as exc:
        raise ReportError(_cannot_write(folder, exc)) from exc


def _cannot_write(folder: Path, exc: OSError) -> str:
    why = {
        errno.EACCES: "you do not have permission to write there",
        errno.EPERM: "you do not have permission to write there",
        errno.EROFS: "it is on a read-only disk",
        errno.ENOSPC: "the disk is full",
        errno.EEXIST: "a file of that name is in the way",
        errno.ENOTDIR: "part of that path is a file, not a folder",
    }.get(exc.errno or 0, "it cannot be written")
    return f"The report cannot be saved in {folder}: {why}. Choose another folder with --out."


# --- the summary, in words ---------------------------------------------------------------------
def _clock(ts: int | None) -> str:
    return "—" if ts is None else dt.datetime.fromtimestamp(ts / 1000).strftime("%Y-%m-%d %H:%M")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes >= 60 else f"{minutes} 分钟"


def figures(s: Summary) -> list[tuple[str, str]]:
    """(label, value) rows of the one-page summary, Chinese first."""
    rate = "—" if s.answer_rate is None else f"{s.answer_rate:.0%}"
    wait = "—" if s.median_answer_s is None else f"{s.median_answer_s / 60:.1f} 分钟 min"
    rows = [
        ("开始 Started", _clock(s.started_ts)),
        ("时长 Duration", _duration(s.duration_s)),
        ("最高在线 Peak viewers", f"{s.peak_viewers:,}"),
        ("弹幕 Messages", f"{s.messages:,}"),
        ("提问 Questions asked", f"{s.questions_asked:,}"),
        ("已回答 Answered", f"{s.questions_answered:,}"),
        ("回答率 Answer rate", rate),
        ("回答用时中位数 Median time to answer", wait),
        ("点赞 Likes", f"{s.likes:,}"),
        ("订单 Orders", f"{s.orders:,}（{s.order_quantity:,} 件 items）"),
    ]
    if s.gift_value:
        rows.append(("礼物 Gifts", f"¥{s.gift_value:,.2f}"))
    if s.lost_events:
        rows.append(("丢失事件 Events lost", f"{s.lost_events:,}"))
    return rows


_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:24px auto;max-width:1100px;color:#222}
h1{font-size:24px;margin-bottom:4px} h2{font-size:18px;margin-top:28px}
.muted{color:#666;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
.card{border:1px solid #ddd;border-radius:8px;padding:10px}
.card b{display:block;font-size:22px} .card span{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #eee;padding:4px 8px;
text-align:left} td.n{text-align:right}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:24px}
img.chart{width:100%;height:auto;border:1px solid #eee}
@media print{body{margin:0}}
"""


def _table(head: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    def cell(v: object) -> str:
        n = isinstance(v, int | float)
        return f"<td{' class=n' if n else ''}>{html.escape(f'{v:,}' if n else str(v))}</td>"

    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    if not rows:
        body = f"<tr><td colspan={len(head)}>无 None</td></tr>"
    return (
        "<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + f"</tr>{body}</table>"
    )


_STATUS = {"answered": "已回答 answered", "dismissed": "已忽略 dismissed", "open": "未回答 open"}


def _write_html(path: Path, journal: Path, s: Summary, drawn: list[Chart]) -> Path:
    cards = "".join(
        f"<div class=card><span>{html.escape(k)}</span><b>{html.escape(v)}</b></div>"
        for k, v in figures(s)
    )
    questions = _table(
        ("问题 Question", "次数 Asks", "状态 Status"),
        [(t, n, _STATUS.get(st, st)) for t, n, st in s.top_questions],
    )
    mentions = _table(("商品 Product", "提及 Mentions"), list(s.mentions))
    orders = _table(("商品 Product", "订单 Orders", "件数 Items"), list(s.orders_by_product))
    images = "".join(
        f"<h2>{html.escape(c.title)}</h2><img class=chart id='chart-{c.name}' "
        f"alt='{html.escape(c.title)}' src='data:image/png;base64,"
        f"{base64.b64encode(png(c.figure)).decode()}'>"
        for c in drawn
    )
    page = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>直播复盘 Show report · {html.escape(journal.stem)}</title><style>{_STYLE}</style></head>
<body><h1>直播复盘 Show report</h1>
<div class=muted>{html.escape(journal.name)} · {s.events:,} 个事件 events ·
生成于 made {html.escape(dt.datetime.now().strftime("%Y-%m-%d %H:%M"))}</div>
<h2>概览 Summary</h2><div class=cards id=summary>{cards}</div>
<h2>热门问题 Top 10 questions</h2>{questions}
<div class=cols><div><h2>商品提及 Product mentions</h2>{mentions}</div>
<div><h2>订单 Orders by product</h2>{orders}</div></div>
{images}
<p class=muted>全部事件见 Every event: events.csv{" · events.parquet" if parquet_available() else ""}</p>
</body></html>"""
    create_private_file(path)
    path.write_text(page, encoding="utf-8")
    return path


def _write_pdf(path: Path, journal: Path, s: Summary, drawn: list[Chart]) -> Path:
    """The summary page (A4) and then each chart, one per page."""
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    page = Figure(figsize=(8.27, 11.69))
    y = 0.95
    page.text(0.07, y, "直播复盘 Show report", fontsize=20, weight="bold")
    y -= 0.03
    page.text(0.07, y, journal.name, fontsize=9, color="#666")
    y -= 0.04
    for label, value in figures(s):
        page.text(0.07, y, label, fontsize=11)
        page.text(0.62, y, value, fontsize=11, weight="bold")
        y -= 0.028
    y -= 0.02
    page.text(0.07, y, "热门问题 Top 10 questions", fontsize=14, weight="bold")
    y -= 0.032
    for text, n, status in s.top_questions or [("无 None", 0, "")]:
        page.text(0.07, y, text[:38], fontsize=10)
        page.text(0.70, y, f"{n:,}" if n else "", fontsize=10)
        page.text(0.80, y, _STATUS.get(status, status), fontsize=9, color="#555")
        y -= 0.024
    y -= 0.02
    page.text(0.07, y, "商品提及 Product mentions", fontsize=14, weight="bold")
    y -= 0.032
    for label, n in s.mentions[:8] or [("无 None", 0)]:
        page.text(0.07, y, label[:38], fontsize=10)
        page.text(0.70, y, f"{n:,}" if n else "", fontsize=10)
        y -= 0.024
    create_private_file(path)
    with PdfPages(path) as pdf:
        pdf.savefig(page)
        for chart in drawn:
            chart.figure.suptitle(chart.title, fontsize=13)
            pdf.savefig(chart.figure)
    return path
