"""Campaigns: groups of identical or near-identical texts (form letters, copy-paste with edits).

A campaign counts as one entry with its number of senders, so that one organised group does
not drown everyone else; its members stay listed, so the policymaker can expand it.

Design (chosen on benchmark mixes of real texts; the evidence is in bench/README.md,
"campaigns"):

- Similarity: Jaccard similarity of the texts' sets of words (minhash.py: HTML stripped,
  NFKC, case-folded, Kazakh letters kept; `shingle_words` = 1), estimated from MinHash
  signatures of `num_perm` = 64 values. Copies with up to 20 % of their words edited keep a
  word-set similarity above 0.67 with the text they copy; word pairs or triples lose two or
  three shingles per edit and miss heavily edited copies, while distinct real texts rarely
  share 60 % of their words (4 % of them have such a neighbour).
- Candidates: LSH banding, `band_rows` = 4 signature values per band (16 bands). Within a
  bucket of texts whose band is equal, each text is paired with one leader (the member with
  the smallest per-band hash of its number), never with every other member: a bucket of m
  texts costs m - 1 checks, so a giant bucket (one form letter sent 100,000 times, a very
  common short text) cannot blow up the work. Pairs already in one group are not checked.
- Check: a pair is linked when the share of equal signature values reaches `threshold`
  (0.6). Groups are the connected components of the links; a group of at least `min_size`
  (5) texts is a campaign: fewer near-identical copies are agreement, not a campaign.
- Summary: each member's closeness is its mean estimated similarity to the other members
  (from the first `_SUMMARY_PERMS` hash functions, counted per value rather than pair by
  pair, so a campaign of 100,000 costs no more than 100,000 separate texts); the closest
  member is the representative, and the campaign's mean similarity is the mean closeness.
- New texts between rebuilds: a `CampaignIndex` holds the representatives' signatures and
  assigns a new text to the campaign whose representative it is most like, if that
  similarity reaches the threshold; `dumps`/`loads` store it (npz + JSON, no pickle).
- Memory: texts are read in chunks of `chunk_texts`; what is kept is the n x num_perm uint32
  signature table (1 million texts x 64 values: 256 MB) and a few arrays of n integers.
- Determinism: hash functions and leaders come from `seed`; words are hashed by CRC-32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse import csgraph

from listening_state.ml.minhash import (
    Shingler,
    SignatureArray,
    band_keys,
    permutations,
    signatures,
)
from listening_state.ml.storage import ModelIntegrityError, pack, sha256_hex, unpack

__all__ = [
    "Campaign",
    "CampaignIndex",
    "CampaignResult",
    "CampaignSettings",
    "ModelIntegrityError",
    "assign_to_campaigns",
    "build_index",
    "campaigns_from_signatures",
    "dumps",
    "find_campaigns",
    "loads",
    "sha256_hex",
    "text_signatures",
]

Key = str | int
IndexArray = npt.NDArray[np.int64]
INDEX_KIND = "listening-state-campaigns"
INDEX_VERSION = 1
_SUMMARY_PERMS = 16  # hash functions used to choose representatives (see the docstring)
_PAIR_BLOCK = 65_536  # pairs compared at once: 65,536 x 64 x 4 bytes = 16 MB per side
_ASSIGN_CELLS = 8_000_000  # new texts x representatives x values compared at once


@dataclass(frozen=True)
class CampaignSettings:
    """How campaigns are found. The defaults are what the benchmark measured."""

    min_size: int = 5  # senders; fewer near-identical copies are agreement, not a campaign
    threshold: float = 0.6  # estimated Jaccard similarity of word shingles that links two texts
    shingle_words: int = 1  # 1: word sets
    whole_below: int = 0  # texts with fewer words match identical texts only
    num_perm: int = 64
    band_rows: int = 4  # num_perm / band_rows bands
    seed: int = 0
    chunk_texts: int = 20_000

    def __post_init__(self) -> None:
        if self.min_size < 2:
            raise ValueError("min_size must be at least 2")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.band_rows < 1 or self.num_perm % self.band_rows:
            raise ValueError("band_rows must divide num_perm")
        if min(self.shingle_words, self.num_perm, self.chunk_texts) < 1:
            raise ValueError("shingle_words, num_perm and chunk_texts must be positive")


@dataclass(frozen=True)
class Campaign:
    """One group of near-identical texts."""

    members: tuple[int, ...]  # positions in the input, ascending
    ids: tuple[Key, ...]  # the members' ids (their positions when no ids were given)
    representative: int  # the position of the member most like the others
    representative_id: Key
    mean_similarity: float  # members' mean estimated Jaccard similarity to one another

    @property
    def size(self) -> int:
        """The number of senders."""
        return len(self.members)


@dataclass(frozen=True)
class CampaignResult:
    """Campaigns, largest first, and for every input text its campaign's number or None."""

    campaigns: tuple[Campaign, ...]
    campaign_of: tuple[int | None, ...]

    @property
    def n_in_campaigns(self) -> int:
        return sum(campaign.size for campaign in self.campaigns)


def text_signatures(
    texts: Sequence[str], settings: CampaignSettings = CampaignSettings()
) -> tuple[SignatureArray, npt.NDArray[np.bool_]]:
    """MinHash signatures of the texts, and which texts have any word at all."""
    shingler = Shingler(settings.shingle_words, settings.whole_below)
    multipliers, offsets = permutations(settings.num_perm, settings.seed)
    table = np.empty((len(texts), settings.num_perm), dtype=np.uint32)
    has_words = np.zeros(len(texts), dtype=np.bool_)
    for start in range(0, len(texts), settings.chunk_texts):
        chunk = texts[start : start + settings.chunk_texts]
        docs, hashes = shingler.shingles(chunk)
        table[start : start + len(chunk)] = signatures(
            docs, hashes, len(chunk), multipliers, offsets
        )
        has_words[start + docs] = True
    return table, has_words


def _similar_pairs(
    table: SignatureArray, first: IndexArray, second: IndexArray, threshold: float
) -> npt.NDArray[np.bool_]:
    """Whether each pair's estimated similarity reaches the threshold, in blocks of pairs."""
    needed = threshold * table.shape[1] - 1e-9
    similar = np.zeros(len(first), dtype=np.bool_)
    for start in range(0, len(first), _PAIR_BLOCK):
        stop = start + _PAIR_BLOCK
        equal = table[first[start:stop]] == table[second[start:stop]]
        similar[start:stop] = np.count_nonzero(equal, axis=1) >= needed
    return similar


def _merge(labels: npt.NDArray[np.int64], first: IndexArray, second: IndexArray) -> None:
    """Join the groups of linked texts, in place; a group's label is its smallest text number.

    Only the labels that take part are put in a graph, so a round costs what its links
    cost, plus one pass over the labels, not a graph of every text.
    """
    ends = np.concatenate((labels[first], labels[second]))
    nodes, inverse = np.unique(ends, return_inverse=True)
    graph = sparse.csr_matrix(
        (np.ones(len(first), dtype=np.int8), (inverse[: len(first)], inverse[len(first) :])),
        shape=(len(nodes), len(nodes)),
    )
    n_parts, part = csgraph.connected_components(graph, directed=False)
    smallest = np.full(n_parts, len(labels), dtype=np.int64)
    np.minimum.at(smallest, part, nodes)
    renamed = np.arange(len(labels), dtype=np.int64)
    renamed[nodes] = smallest[part]
    labels[:] = renamed[labels]


def _groups(
    table: SignatureArray, active: IndexArray, settings: CampaignSettings
) -> npt.NDArray[np.int64]:
    """Groups of linked texts, as a label per text (its group's smallest text number)."""
    labels = np.arange(len(table), dtype=np.int64)
    rows, bands = settings.band_rows, settings.num_perm // settings.band_rows
    if len(active) < 2:
        return labels
    # Each bucket's leader: the member with the smallest per-band hash of its number.
    salts = np.random.default_rng(settings.seed).integers(1, 2**32, (2, bands), dtype=np.uint64)
    for band in range(bands):
        keys = band_keys(table[active, band * rows : (band + 1) * rows])
        order = np.argsort(keys)
        sorted_keys = keys[order]
        opens = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        priority = (active[order].astype(np.uint64) * (salts[0, band] | np.uint64(1))) ^ salts[
            1, band
        ]
        # The lowest priority in each bucket, with its position in the low 32 bits.
        tagged = ((priority & np.uint64(0xFFFFFFFF)) << np.uint64(32)) | np.arange(
            len(order), dtype=np.uint64
        )
        leader_at = (np.minimum.reduceat(tagged, opens) & np.uint64(0xFFFFFFFF)).astype(np.int64)
        bucket = np.repeat(np.arange(len(opens)), np.diff(np.append(opens, len(order))))
        first = active[order[leader_at[bucket]]]
        second = active[order]
        unlinked = labels[first] != labels[second]
        first, second = first[unlinked], second[unlinked]
        similar = _similar_pairs(table, first, second, settings.threshold)
        if similar.any():
            _merge(labels, first[similar], second[similar])
    return labels


def _summaries(
    table: SignatureArray, members: IndexArray, group: IndexArray, sizes: IndexArray
) -> tuple[IndexArray, npt.NDArray[np.float64]]:
    """Each group's representative (a position in `members`) and mean similarity.

    `members` are sorted by `group` (0, 1, ...). A member's count of equal values with the
    others of its group, for one hash function, is the number of members sharing its value
    minus itself: one sort per hash function, whatever the size of the group.
    """
    perms = min(_SUMMARY_PERMS, table.shape[1])
    closeness = np.zeros(len(members), dtype=np.float64)
    for column in range(perms):
        keys = (group.astype(np.uint64) << np.uint64(32)) | table[members, column].astype(np.uint64)
        _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
        closeness += counts[inverse] - 1
    others = np.repeat(sizes - 1, sizes).astype(np.float64)
    closeness /= perms * others
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    # The closest member; ties go to the earliest (members are ascending within a group).
    order = np.lexsort((np.arange(len(members)), -closeness, group))
    representatives = order[starts]
    means = np.add.reduceat(closeness, starts) / sizes
    return representatives, means


def find_campaigns(
    texts: Sequence[str],
    *,
    settings: CampaignSettings = CampaignSettings(),
    ids: Sequence[Key] | None = None,
) -> CampaignResult:
    """Group near-identical texts; groups of at least `settings.min_size` are campaigns."""
    if ids is not None and len(ids) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(ids)} ids")
    table, has_words = text_signatures(texts, settings)
    return campaigns_from_signatures(table, has_words, settings=settings, ids=ids)


def campaigns_from_signatures(
    table: SignatureArray,
    has_words: npt.NDArray[np.bool_],
    *,
    settings: CampaignSettings = CampaignSettings(),
    ids: Sequence[Key] | None = None,
) -> CampaignResult:
    """`find_campaigns` on signatures already computed by `text_signatures`."""
    active = np.flatnonzero(has_words).astype(np.int64)
    labels = _groups(table, active, settings)
    label_sizes = np.bincount(labels[active], minlength=len(table))
    in_campaign = active[label_sizes[labels[active]] >= settings.min_size]
    # Largest campaign first; equal sizes in the order of their first member.
    member_labels = labels[in_campaign]
    first_member = np.full(len(table), len(table), dtype=np.int64)
    np.minimum.at(first_member, member_labels, in_campaign)
    order = np.lexsort((in_campaign, first_member[member_labels], -label_sizes[member_labels]))
    members = in_campaign[order]
    if len(members) == 0:
        return CampaignResult(campaigns=(), campaign_of=(None,) * len(table))
    starts = np.flatnonzero(np.concatenate(([True], np.diff(labels[members]) != 0)))
    sizes = np.diff(np.append(starts, len(members)))
    group = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    representatives, means = _summaries(table, members, group, sizes)

    campaign_of: list[int | None] = [None] * len(table)
    campaigns = []
    for number, (start, size) in enumerate(zip(starts.tolist(), sizes.tolist(), strict=True)):
        positions = tuple(members[start : start + size].tolist())
        for position in positions:
            campaign_of[position] = number
        representative = int(members[representatives[number]])
        campaigns.append(
            Campaign(
                members=positions,
                ids=positions if ids is None else tuple(ids[p] for p in positions),
                representative=representative,
                representative_id=representative if ids is None else ids[representative],
                mean_similarity=float(means[number]),
            )
        )
    return CampaignResult(campaigns=tuple(campaigns), campaign_of=tuple(campaign_of))


@dataclass(frozen=True, eq=False)
class CampaignIndex:
    """The representatives of known campaigns, for joining new texts between rebuilds."""

    settings: CampaignSettings
    keys: tuple[Key, ...]  # one per campaign, e.g. the representative's id
    sizes: tuple[int, ...]  # senders when the index was built
    table: SignatureArray = field(repr=False)  # the representatives' signatures


def build_index(
    texts: Sequence[str], result: CampaignResult, settings: CampaignSettings = CampaignSettings()
) -> CampaignIndex:
    """An index of `result`'s campaigns; `texts` are the texts `result` was found in."""
    representatives = [texts[campaign.representative] for campaign in result.campaigns]
    table, _ = text_signatures(representatives, settings)
    return CampaignIndex(
        settings=settings,
        keys=tuple(campaign.representative_id for campaign in result.campaigns),
        sizes=tuple(campaign.size for campaign in result.campaigns),
        table=table,
    )


def assign_to_campaigns(new_texts: Sequence[str], index: CampaignIndex) -> tuple[int | None, ...]:
    """For each new text, the number of the campaign it joins (its position in the index)."""
    table, has_words = text_signatures(new_texts, index.settings)
    found: list[int | None] = [None] * len(new_texts)
    if len(index.keys) == 0 or len(new_texts) == 0:
        return tuple(found)
    needed = index.settings.threshold * index.table.shape[1] - 1e-9
    block = max(1, _ASSIGN_CELLS // (len(index.keys) * index.table.shape[1]))
    for start in range(0, len(new_texts), block):
        rows = table[start : start + block]
        counts = (rows[:, None, :] == index.table[None, :, :]).sum(axis=2)
        best = counts.argmax(axis=1)  # ties: the larger campaign (campaigns are largest first)
        for offset, (campaign, count) in enumerate(
            zip(best.tolist(), counts[np.arange(len(rows)), best].tolist(), strict=True)
        ):
            if has_words[start + offset] and count >= needed:
                found[start + offset] = campaign
    return tuple(found)


def dumps(index: CampaignIndex) -> bytes:
    """The index as bytes (an .npz archive: one array and a JSON header, no pickle)."""
    settings = index.settings
    header: dict[str, object] = {
        "kind": INDEX_KIND,
        "kind_version": INDEX_VERSION,
        "keys": list(index.keys),
        "sizes": list(index.sizes),
        "settings": {
            "min_size": settings.min_size,
            "threshold": settings.threshold,
            "shingle_words": settings.shingle_words,
            "num_perm": settings.num_perm,
            "band_rows": settings.band_rows,
            "seed": settings.seed,
            "chunk_texts": settings.chunk_texts,
        },
    }
    return pack({"signatures": index.table}, header)


def loads(data: bytes, *, expected_sha256: str) -> CampaignIndex:
    """The index in `data`; ModelIntegrityError unless sha256(data) is the expected one."""
    arrays, header = unpack(data, expected_sha256=expected_sha256)
    if header.get("kind") != INDEX_KIND:
        raise ModelIntegrityError("not a campaign index")
    if header.get("kind_version") != INDEX_VERSION:
        raise ModelIntegrityError(f"campaign index format {header.get('kind_version')} unknown")
    try:
        settings = CampaignSettings(**header["settings"])
        keys = tuple(key if isinstance(key, int) else str(key) for key in header["keys"])
        sizes = tuple(int(size) for size in header["sizes"])
        table = np.ascontiguousarray(arrays["signatures"], dtype=np.uint32)
        if table.shape != (len(keys), settings.num_perm) or len(sizes) != len(keys):
            raise ValueError("signatures do not match the campaigns")
    except (KeyError, TypeError, ValueError) as error:
        raise ModelIntegrityError(f"not a campaign index: {error}") from error
    return CampaignIndex(settings=settings, keys=keys, sizes=sizes, table=table)
