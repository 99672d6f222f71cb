"""The signed-in user's API tokens."""
