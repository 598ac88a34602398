"""Per-user folders: where settings and journals live.

platformdirs picks the platform's convention; the environment variables `LIVEDESK_CONFIG_DIR`
and `LIVEDESK_DATA_DIR` override it so tests and rehearsals never touch a real host's files.

What LiveDesk keeps there (settings, show journals with viewers' messages) is private: folders
are 0700 and files 0600, whatever the umask, so other users of the computer cannot read them.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "livedesk"


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """`path` created if missing and made readable by its owner only."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def create_private_file(path: Path) -> Path:
    """Make sure `path` exists with mode 0600 (created empty if missing) before anyone else
    (SQLite, a writer) creates it with the umask's mode. SQLite gives its -wal and -shm files
    the database file's mode."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)
    finally:
        os.close(fd)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Replace `path` atomically with `text` (UTF-8), mode 0600."""
    tmp = path.with_name(path.name + ".tmp")
    create_private_file(tmp)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _dir(env_var: str, default: str) -> Path:
    return private_dir(Path(os.environ.get(env_var) or default))


def config_dir() -> Path:
    """Folder for settings (created if missing)."""
    return _dir("LIVEDESK_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """Folder for journals, recordings and other per-user data (created if missing)."""
    return _dir("LIVEDESK_DATA_DIR", platformdirs.user_data_dir(APP_NAME))
