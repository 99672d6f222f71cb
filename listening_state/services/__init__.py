"""Use cases: each takes explicit keyword arguments and an explicit actor, and commits once."""
