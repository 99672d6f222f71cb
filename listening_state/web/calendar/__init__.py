"""The working calendar page for administrators."""
