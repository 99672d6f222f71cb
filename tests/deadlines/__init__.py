"""Deadlines on the working calendar (issue 5)."""
