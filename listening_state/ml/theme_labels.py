"""Theme labels: the words and phrases that set a theme apart from the rest (c-TF-IDF).

- Terms are word groups and pairs of adjacent word groups. A group is the words that share
  their first six letters (shorter words stand alone): "petition"/"petitions",
  "депутат"/"депутаттар", "строительство"/"строительства". Kazakh and Russian pile endings on
  a stem, so counting groups keeps one theme word from scattering into its forms; each group
  is shown in its most frequent written form, so labels keep real words.
- Counts are documents, not occurrences: a term used by many members of a theme describes
  it, one long text repeating a word does not.
- Score (class-based TF-IDF, as in BERTopic): the share of the theme's entries using the
  term, times log(1 + average theme size / entries using it anywhere). Common words of every
  theme and words of one entry score low.
- Function words of Kazakh, Russian and English (the lists below) and numbers never make a
  term; a pair is kept only if neither word is one.
- A phrase replaces its word in the keywords when it scores at least `phrase_ratio` of it:
  "minimum wage" says more than "wage".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from listening_state.ml.features import Analyzer, FeatureSpec, IntArray
from listening_state.ml.textprep import fold

_GROUP_PREFIX = 6
_CHUNK = 10_000


def _words(text: str) -> list[str]:
    return text.split()


STOP_WORDS_EN = frozenset(
    _words(
        """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves ll ve re don doesn didn isn aren wasn weren won shouldn
    can't cannot also etc per via let may might must shall us one ones would
    yes get got like think say said make going really much many well
    """
    )
)

STOP_WORDS_RU = frozenset(
    _words(
        """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только
    ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни
    быть был него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где
    есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж
    тогда кто этот того потому этого какой совсем ним здесь этом один почти мой тем чтобы
    нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после над
    больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою
    этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между это
    также которые который которая которое которых которым этих эта свой своих своей является
    были будут быть всё весь вся ещё очень так же
    """
    )
)

STOP_WORDS_KK = frozenset(
    _words(
        """
    және мен бен пен да де та те ма ме ба бе па пе ғой қой әрі бірақ немесе не бұл сол осы
    ол олар біз сіз сен мен оның олардың бар жоқ үшін туралы бойынша арқылы дейін кейін
    соң сияқты секілді сайын шейін қарай гөрі ал тек әлі енді кез кезде дейді деп деген
    болып болды болады болған болса еді екен емес ғана қана бір барлық әр өз өзі өзінің
    оны оған онда одан бұны бұған мұнда мұны осында сонда және де ең аса тым өте көп аз
    қандай қалай неге кім не нені кімге қашан қайда биыл жылы да ма ше
    """
    )
)

STOP_WORDS = STOP_WORDS_EN | STOP_WORDS_RU | STOP_WORDS_KK


def group_key(word: str) -> str:
    return word[:_GROUP_PREFIX]


def _is_stop(word: str) -> bool:
    return word in STOP_WORDS or word.isdigit()


class _TermCounter:
    """Document counts of word groups and group pairs, per theme, over chunks of texts."""

    def __init__(self) -> None:
        self.group_of: dict[str, int] = {}  # surface word -> group id
        self.group_ids: dict[str, int] = {}  # group key -> group id
        self.group_stop: list[bool] = []
        self.surface_counts: dict[str, int] = {}
        self.word_ids: dict[str, int] = {}  # surface word -> its own id (for pair surfaces)
        self.pair_surfaces: list[IntArray] = []  # (group, group, word, word, occurrences)
        self.unigram_rows: list[IntArray] = []  # (theme, group) per entry using it
        self.pair_rows: list[IntArray] = []  # (theme, group, group) per entry using them

    def _groups(self, words: list[str]) -> IntArray:
        ids = np.empty(len(words), dtype=np.int64)
        for position, word in enumerate(words):
            group = self.group_of.get(word)
            if group is None:
                key = group_key(word)
                group = self.group_ids.get(key)
                if group is None:
                    group = self.group_ids[key] = len(self.group_ids)
                    self.group_stop.append(_is_stop(word))
                self.group_stop[group] = self.group_stop[group] and _is_stop(word)
                self.group_of[word] = group
            ids[position] = group
        return ids

    def add(self, analyzer: Analyzer, texts: Sequence[str], themes: IntArray) -> None:
        batch = analyzer.analyse([fold(text) for text in texts])
        if not batch.words:
            return
        groups = self._groups(batch.words)
        word_ids = np.fromiter(
            (self.word_ids.setdefault(word, len(self.word_ids)) for word in batch.words),
            dtype=np.int64,
            count=len(batch.words),
        )
        for word, count in zip(
            batch.words,
            np.bincount(batch.token_ids, minlength=len(batch.words)).tolist(),
            strict=True,
        ):
            self.surface_counts[word] = self.surface_counts.get(word, 0) + count
        stop = np.array(self.group_stop, dtype=bool)
        token_groups = groups[batch.token_ids]
        docs = batch.token_docs
        keep = ~stop[token_groups]
        unigrams = np.unique(np.stack([docs[keep], token_groups[keep]], axis=1), axis=0)
        self.unigram_rows.append(np.stack([themes[unigrams[:, 0]], unigrams[:, 1]], axis=1))
        first, second = token_groups[:-1], token_groups[1:]
        pair = (docs[1:] == docs[:-1]) & keep[:-1] & keep[1:] & (first != second)
        if pair.any():
            pairs = np.unique(np.stack([docs[1:][pair], first[pair], second[pair]], axis=1), axis=0)
            self.pair_rows.append(np.stack([themes[pairs[:, 0]], pairs[:, 1], pairs[:, 2]], axis=1))
            words = word_ids[batch.token_ids]
            written, counts = np.unique(
                np.stack([first[pair], second[pair], words[:-1][pair], words[1:][pair]], axis=1),
                axis=0,
                return_counts=True,
            )
            self.pair_surfaces.append(np.column_stack([written, counts]))

    def pair_surface(self) -> dict[tuple[int, int], str]:
        """Each group pair's most frequent written form: "secondary schools", not a mix."""
        if not self.pair_surfaces:
            return {}
        table = np.concatenate(self.pair_surfaces)
        written, index = np.unique(table[:, :4], axis=0, return_inverse=True)
        counts = np.bincount(index.ravel(), weights=table[:, 4])
        # Per group pair, the most used form first (ties: the first word ids met).
        order = np.lexsort((written[:, 3], written[:, 2], -counts, written[:, 1], written[:, 0]))
        first = np.r_[True, np.any(np.diff(written[order, :2], axis=0) != 0, axis=1)]
        words = list(self.word_ids)
        return {
            (int(g1), int(g2)): f"{words[w1]} {words[w2]}"
            for g1, g2, w1, w2 in written[order][first].tolist()
        }

    def surfaces(self) -> list[str]:
        """Each group's most frequent written form (ties: the alphabetically first)."""
        best: dict[int, tuple[int, str]] = {}
        for word, group in self.group_of.items():
            count = self.surface_counts.get(word, 0)
            held = best.get(group)
            if held is None or (count, held[1]) > (held[0], word):
                best[group] = (count, word)
        return [best[group][1] for group in range(len(self.group_ids))]


def _scores(
    rows: list[IntArray], width: int, sizes: IntArray, n_entries: int, min_support: IntArray
) -> tuple[IntArray, IntArray, np.ndarray]:
    """(theme, term index, score) of every term that enough of its theme's entries use."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros((0, width - 1), dtype=np.int64), np.zeros(0)
    table = np.concatenate(rows)
    keys, counts = np.unique(table, axis=0, return_counts=True)
    terms, term_index = np.unique(keys[:, 1:], axis=0, return_inverse=True)
    everywhere = np.bincount(term_index.ravel(), weights=counts, minlength=len(terms))
    themed = keys[:, 0] >= 0
    theme, term, count = keys[themed, 0], term_index.ravel()[themed], counts[themed]
    supported = count >= min_support[theme]
    theme, term, count = theme[supported], term[supported], count[supported]
    average_size = n_entries / max(1, len(sizes))
    score = (count / sizes[theme]) * np.log1p(average_size / everywhere[term])
    return theme, terms[term], score


def theme_keywords(
    texts: Sequence[str],
    themes: IntArray,
    n_themes: int,
    *,
    n_keywords: int = 10,
    phrase_ratio: float = 0.5,
) -> list[tuple[str, ...]]:
    """The most distinctive words and phrases of each theme (themes[i] = -1: other)."""
    counter = _TermCounter()
    analyzer = Analyzer(FeatureSpec(char_mode="none"))
    for start in range(0, len(texts), _CHUNK):
        counter.add(analyzer, texts[start : start + _CHUNK], themes[start : start + _CHUNK])
    sizes = np.maximum(np.bincount(themes[themes >= 0], minlength=n_themes), 1)
    surfaces = counter.surfaces()
    pair_surfaces = counter.pair_surface()
    candidates: list[list[tuple[float, tuple[int, ...]]]] = [[] for _ in range(n_themes)]
    # Terms of two or more entries; a theme whose members share none falls back to terms
    # of one entry, so that it still has a label.
    for min_support in (np.where(sizes >= 4, 2, 1), np.ones(n_themes, dtype=np.int64)):
        bare = np.array([not c for c in candidates])
        if not bare.any():
            break
        for rows, width in ((counter.unigram_rows, 2), (counter.pair_rows, 3)):
            theme, terms, score = _scores(rows, width, sizes, len(texts), min_support)
            for t, term, value in zip(theme.tolist(), terms.tolist(), score.tolist(), strict=True):
                if bare[t]:
                    candidates[t].append((value, tuple(term)))
    return [
        _pick(
            sorted(c, key=lambda x: (-x[0], x[1])),
            surfaces,
            pair_surfaces,
            n_keywords,
            phrase_ratio,
        )
        for c in candidates
    ]


def _pick(
    ranked: list[tuple[float, tuple[int, ...]]],
    surfaces: list[str],
    pair_surfaces: dict[tuple[int, int], str],
    n_keywords: int,
    phrase_ratio: float,
) -> tuple[str, ...]:
    """Best terms first; a phrase takes its word's place if it scores `phrase_ratio` of it."""
    chosen: list[tuple[float, tuple[int, ...]]] = []
    for score, term in ranked:
        if len(chosen) >= n_keywords:
            break
        covered = [i for i, (_, held) in enumerate(chosen) if set(held) & set(term)]
        if len(term) == 1:
            if not covered:
                chosen.append((score, term))
            continue
        replaceable = [i for i in covered if len(chosen[i][1]) == 1]
        if len(replaceable) == len(covered) and all(
            score >= phrase_ratio * chosen[i][0] for i in replaceable
        ):
            if replaceable:
                chosen[replaceable[0]] = (chosen[replaceable[0]][0], term)
                for i in sorted(replaceable[1:], reverse=True):
                    del chosen[i]
            else:
                chosen.append((score, term))
    return tuple(
        surfaces[term[0]] if len(term) == 1 else pair_surfaces[(term[0], term[1])]
        for _, term in chosen
    )
