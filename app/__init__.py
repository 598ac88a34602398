"""LiveDesk application core: show state, settings and the command line. No widget code."""
