"""`python -m app` opens the console, as `livedesk` with no subcommand does."""

from app.cli import main

raise SystemExit(main())
