"""The continuous troubleshooting checks: the book's tables, run after every cycle."""
