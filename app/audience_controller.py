"""`AudienceController`: the show's audience on the console core (`core.audience`).

It owns the child process that reads the hub, runs the danmaku pipeline and journals the show
(`app.danmaku.process`), and the one `AudienceState` that the host's and the assistant's
windows both observe. Which hub it reads: the one set with "Connect to audience hub…" (token in
the keyring), else the built-in relay's hub as soon as the go-live controller has started it.

A show whose journal was never closed (the console crashed or was killed) may be resumed; the
controller says so (`crashed_show()`) and starts nothing until a view has asked the host and
called `begin()` — no message is read before the host decides.

Block lists belong to the host's account (the hub read), not to one show: each show starts
with the account's saved lists, every change is saved back (`app.danmaku.blocklists`), and the
pipeline sends them to the hub so viewers do not see what the host blocked.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.danmaku import blocklists
from app.danmaku.filters import FilterConfig
from app.danmaku.journal import Journal, resumable_show
from app.danmaku.process import AudienceProcess
from app.danmaku.state import AudienceState
from app.golive import GoLiveController
from app.secrets import SecretStoreError, get_token, set_token
from app.settings import Settings

log = logging.getLogger(__name__)

SECTION = "audience"
HUB_URL = "hub_url"


class AudienceController(QObject):
    #: A problem the host should read (keyring unavailable…), plain words.
    notice = Signal(str)

    def __init__(
        self, settings: Settings, golive: GoLiveController, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._golive = golive
        self.state = AudienceState(parent=self)
        self.service: AudienceProcess | None = None
        self.state.filtersChanged.connect(self._save_lists)
        golive.relay_info_changed.connect(self._on_relay_info)

    @property
    def hub_url(self) -> str:
        """The hub the host configured ("" = the built-in relay's)."""
        return str(self._settings.section(SECTION).get(HUB_URL) or "")

    @staticmethod
    def crashed_show() -> Path | None:
        """The journal of a show that did not close properly, which the host may resume."""
        return resumable_show()

    def begin(self, resume: Path | None = None, crashed: Path | None = None) -> None:
        """Open the show journal (resuming `resume`, or a new one) and read the hub. `crashed`
        is the show the host was offered and declined: closed so it is not offered again."""
        if self.service is not None:
            return
        if crashed is not None and resume is None:
            Journal(crashed).close(ended=True)
        self.service = AudienceProcess(resume, resume=resume is not None)
        self.state.set_source(self.service)
        self._apply_lists(blocklists.load(self._settings, self.account))
        url = self.hub_url
        if url:
            token = get_token(url)
            if token:
                self.service.connect(url, token)
        elif self._golive.embedded is not None:
            self._on_relay_info(dict(self._golive.embedded.info))

    def connect_hub(self, url: str, token: str) -> None:
        """Read the hub at `url` from now on (and at the next start); token in the keyring."""
        url = url.strip()
        try:
            set_token(url, token)
        except SecretStoreError as exc:
            self.notice.emit(str(exc))
        self._settings.update_section(SECTION, {HUB_URL: url})
        self._apply_lists(blocklists.load(self._settings, self.account))
        if self.service is not None:
            self.service.connect(url, token)

    # --- block lists ----------------------------------------------------------------------
    @property
    def account(self) -> str:
        """Whose block lists apply: the configured hub's, else the built-in hub's."""
        return blocklists.account(self.hub_url)

    def export_lists(self) -> str:
        """The current block lists as text (one entry a line)."""
        filters = self.state.filters
        return blocklists.to_text(
            blocklists.BlockLists(list(filters.blocked_words), list(filters.blocked_users))
        )

    def import_lists(self, text: str) -> int:
        """Add the entries of a block list text; how many entries it held."""
        lists = blocklists.from_text(text)
        self._apply_lists(lists)
        return len(lists.words) + len(lists.users)

    def _apply_lists(self, lists: blocklists.BlockLists) -> None:
        if lists.words or lists.users:
            self.state.block_lists(lists.words, lists.users)

    def _save_lists(self, filters: FilterConfig) -> None:
        saved = blocklists.load(self._settings, self.account)
        current = blocklists.BlockLists(list(filters.blocked_words), list(filters.blocked_users))
        if current != saved:
            blocklists.save(self._settings, self.account, current)

    def _on_relay_info(self, info: dict[str, Any]) -> None:
        """The built-in relay runs: read the audience from its hub (with the relay's host token)."""
        url = info.get("interaction_host")
        embedded = self._golive.embedded
        if not url or embedded is None or self.service is None:
            return
        if self.service.hub_url is None and not self.hub_url:
            self.service.connect(str(url), embedded.host_token)

    def close(self) -> None:
        """End the show: stop reading, commit everything, mark the journal finished."""
        service, self.service = self.service, None
        if service is not None:
            service.close(ended=True)
