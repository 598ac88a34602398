"""Per-user folders: where settings and journals live.

platformdirs picks the platform's convention; the environment variables `LIVEDESK_CONFIG_DIR`
and `LIVEDESK_DATA_DIR` override it so tests and rehearsals never touch a real host's files.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "livedesk"


def _dir(env_var: str, default: str) -> Path:
    path = Path(os.environ.get(env_var) or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """Folder for settings (created if missing)."""
    return _dir("LIVEDESK_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Folder for journals, recordings and other per-user data (created if missing)."""
    return _dir("LIVEDESK_DATA_DIR", platformdirs.user_data_dir(APP_NAME))
