"""Command-line tools (a package only so that lint-imports can read them)."""
