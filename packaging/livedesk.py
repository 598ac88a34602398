"""Entry point of the PyInstaller bundle (`dist/livedesk/livedesk`): the same subcommands as
the installed `livedesk`, plus `--run-module` for the bundle's own child processes."""

import multiprocessing

from app.frozen import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # `bench architecture` spawns workers
    raise SystemExit(main())
