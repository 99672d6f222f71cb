"""Large corpora made from real texts: drawn with replacement, each copy with three random word
edits (deletion, insertion or replacement by another real word), seeded."""

from __future__ import annotations

import random


def resampled(pool: list[str], n: int, seed: int) -> tuple[list[str], list[int]]:
    """n edited copies of texts in `pool`, and for each the index of the text it copies."""
    rng = random.Random(seed)
    words = [word for text in pool for word in text.split()]
    texts, sources = [], []
    for _ in range(n):
        index = rng.randrange(len(pool))
        tokens = pool[index].split() or [rng.choice(words)]
        for _ in range(3):
            position = rng.randrange(len(tokens))
            edit = rng.random()
            if edit < 1 / 3 and len(tokens) > 1:
                del tokens[position]
            elif edit < 2 / 3:
                tokens.insert(position, rng.choice(words))
            else:
                tokens[position] = rng.choice(words)
        texts.append(" ".join(tokens))
        sources.append(index)
    return texts, sources
