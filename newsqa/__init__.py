"""newsqa: the command line and the wiring between ``index`` (writes) and ``assistant`` (reads)."""
