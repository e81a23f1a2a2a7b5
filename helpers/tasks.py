"""Data for the course's training experiments.

``adding_problem``: the long-lag benchmark in the form of Le, Jaitly & Hinton (2015) and most
code since (values U[0, 1], two marked positions, target = their sum).

``stories``: the "Jane said hi to __" mini-stories of notebook 07 (seed 001), word-level,
with a fixed vocabulary ``VOCAB`` and a chosen number of filler sentences between the
introduction, where the answer is said, and the question, where it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._validate import as_int


def adding_problem(n: int, length: int, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem, time-major.

    Returns ``xs`` (length, n, 2) — channel 0 values drawn from U[0, 1], channel 1 a marker
    with exactly two ones, the first in the first half of the sequence and the second in
    the second half — and ``ys`` (n,), the sum of the two marked values. Always predicting
    1 (the mean of the target) scores MSE 1/6 ≈ 0.1667, the baseline to beat; the answer
    needs the first marked value carried over at least ``length // 2`` steps (on average 3/4).
    """
    count = as_int("n", n, min_value=1)
    T = as_int("length", length, min_value=2)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    half = T // 2
    values = rng.uniform(0.0, 1.0, size=(T, count))
    first = rng.integers(0, half, size=count)
    second = rng.integers(half, T, size=count)
    marks = np.zeros((T, count))
    cols = np.arange(count)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    xs = np.stack([values, marks], axis=-1)
    ys = values[first, cols] + values[second, cols]
    return xs, ys


# --------------------------------------------------------------------------------------
# "Jane said hi to __": mini-stories with a long-range dependency (seed 001, notebook 07)
# --------------------------------------------------------------------------------------
#
# A story is
#
#     A walked into the room . B walked in too . <filler> ... A said hi to B .
#
# with A ≠ B two names and each filler sentence drawn from ``FILLERS`` (no names in them).
# The answer — the last name — is B, said once, in the introduction: the decisive word.
# Everything after the introduction is the same whichever B was chosen, so a reader that
# has forgotten the introduction can only guess among the names ≠ A (chance 1/(names − 1)).

#: The names the stories use (a small cast; the first two are the seed's).
NAMES: tuple[str, ...] = ("Jane", "John", "Mary", "Paul", "Anna", "Tom")

#: Filler sentences: four words and a full stop each (5 tokens), none with a name in it.
FILLERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in (
        "it was getting late .",
        "the sun went down .",
        "the room was warm .",
        "the tea was hot .",
        "a dog barked outside .",
        "the clock struck six .",
        "the door was open .",
        "nobody said a word .",
    )
)
FILLER_LEN = 5
#: Tokens from the decisive name B to the answer when there is no filler:
#: "B walked in too . A said hi to" is 9 tokens, so the answer sits 9 positions after B.
BASE_DISTANCE = 9
#: Index of the decisive name in every story ("A walked into the room ." is 6 tokens).
DECISIVE_POS = 6
PAD = "<pad>"


def _intro(first: str, second: str) -> list[str]:
    return [first, "walked", "into", "the", "room", ".", second, "walked", "in", "too", "."]


def _question(first: str, second: str) -> list[str]:
    return [first, "said", "hi", "to", second, "."]


class Vocab:
    """A fixed word list with ids: ``ids(words)`` and ``words(ids)``; id 0 is ``"<pad>"``.

    ``len(vocab)`` is the vocabulary size V; ``name_ids`` are the ids of ``NAMES`` in order.
    """

    def __init__(self, words: tuple[str, ...]) -> None:
        if len(set(words)) != len(words):
            raise ValueError("words must be distinct")
        self._words = tuple(words)
        self._index = {w: i for i, w in enumerate(self._words)}
        self.pad_id = self._index[PAD]
        self.name_ids = np.array([self._index[n] for n in NAMES])

    def __len__(self) -> int:
        return len(self._words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    @property
    def words_list(self) -> tuple[str, ...]:
        """Every word, in id order."""
        return self._words

    def ids(self, words: list[str] | tuple[str, ...]) -> np.ndarray:
        """Word list → int array of ids; an unknown word raises ``ValueError`` naming it."""
        unknown = [w for w in words if w not in self._index]
        if unknown:
            raise ValueError(f"words {unknown} are not in the vocabulary")
        return np.array([self._index[w] for w in words], dtype=np.int64)

    def words(self, ids: np.ndarray | list[int]) -> list[str]:
        """Ids (any shape, flattened) → words; out-of-range ids raise ``ValueError``."""
        arr = np.asarray(ids)
        if arr.size and not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"ids must be integers, got dtype {arr.dtype}")
        flat = arr.ravel()
        if flat.size and (flat.min() < 0 or flat.max() >= len(self)):
            raise ValueError(f"ids must lie in [0, {len(self)}), got {flat.min()}..{flat.max()}")
        return [self._words[i] for i in flat]

    def text(self, ids: np.ndarray | list[int]) -> str:
        """Ids → one string, words separated by spaces, padding dropped."""
        return " ".join(w for w in self.words(ids) if w != PAD)

    def __repr__(self) -> str:
        return f"Vocab({len(self)} words)"


def _all_words() -> tuple[str, ...]:
    words = [PAD]
    for w in [*NAMES, *_intro("Jane", "John"), *_question("Jane", "John"),
              *(w for s in FILLERS for w in s)]:
        if w not in words:
            words.append(w)
    return tuple(words)


#: The one vocabulary of the story task (V = len(VOCAB)).
VOCAB = Vocab(_all_words())


def story_words(first: str, second: str, fillers: list[int] | tuple[int, ...] = ()) -> list[str]:
    """The words of one story: introduction of ``first`` then ``second``, the filler
    sentences ``FILLERS[i]`` for i in ``fillers``, and the question whose answer is ``second``."""
    for arg, name in (("first", first), ("second", second)):
        if name not in NAMES:
            raise ValueError(f"{arg} must be one of {NAMES}, got {name!r}")
    if first == second:
        raise ValueError(f"first and second must be different names, both are {first!r}")
    body: list[str] = []
    for i in fillers:
        j = as_int("fillers[i]", i, min_value=0, max_value=len(FILLERS) - 1)
        body.extend(FILLERS[j])
    return [*_intro(first, second), *body, *_question(first, second)]


@dataclass
class Stories:
    """A batch of B stories, time-major, padded at the end with ``VOCAB.pad_id``.

    tokens        (T, B) int   word ids; T = the longest story (or ``pad_to``)
    lengths       (B,)   int   tokens in each story (the rest of its column is padding)
    n_filler      (B,)   int   filler sentences in each story
    decisive_pos  (B,)   int   index of the decisive word (the second name, always 6)
    answer_pos    (B,)   int   index of the answer (the last name)
    distance      (B,)   int   answer_pos − decisive_pos = 9 + 5·n_filler tokens
    answer        (B,)   int   id of the answer (= id of the decisive word)
    speaker       (B,)   int   id of the first name (who says hi)
    """

    tokens: np.ndarray
    lengths: np.ndarray
    n_filler: np.ndarray
    decisive_pos: np.ndarray
    answer_pos: np.ndarray
    distance: np.ndarray
    answer: np.ndarray
    speaker: np.ndarray

    def __len__(self) -> int:
        return int(self.tokens.shape[1])

    def text(self, i: int) -> str:
        """Story ``i`` as a string."""
        j = as_int("i", i, min_value=0, max_value=len(self) - 1)
        return VOCAB.text(self.tokens[: self.lengths[j], j])

    def lm_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Next-word pairs for a language model: ``inputs`` (T−1, B) = tokens[:-1] and
        ``targets`` (T−1, B) = tokens[1:], with −1 where the target is padding (no loss).

        The answer is the target at input position ``answer_pos − 1``.
        """
        inputs = self.tokens[:-1]
        targets = self.tokens[1:].copy()
        targets[targets == VOCAB.pad_id] = -1
        return inputs, targets


def distance_of(n_filler: int) -> int:
    """Tokens between the decisive word and the answer for ``n_filler`` filler sentences."""
    return BASE_DISTANCE + FILLER_LEN * as_int("n_filler", n_filler, min_value=0)


def stories(
    n: int,
    n_filler: int | list[int] | tuple[int, ...] | np.ndarray,
    *,
    rng: np.random.Generator,
    pad_to: int | None = None,
) -> Stories:
    """``n`` random stories; ``n_filler`` filler sentences in each (an int, or one per story).

    Names: A uniform over ``NAMES``, B uniform over the others; fillers drawn uniformly with
    replacement. The answer is ``distance = 9 + 5·n_filler`` tokens after the decisive word.
    ``pad_to`` fixes T (at least the longest story), so batches of different fillers line up.
    """
    count = as_int("n", n, min_value=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    if isinstance(n_filler, (list, tuple, np.ndarray)):
        nf = np.asarray(n_filler)
        if nf.shape != (count,) or not np.issubdtype(nf.dtype, np.integer):
            raise ValueError(f"n_filler must be an int or {count} ints (one per story), got "
                             f"shape {nf.shape} dtype {nf.dtype}")
        if nf.min() < 0:
            raise ValueError(f"n_filler must be >= 0, got {nf.min()}")
        nf = nf.astype(np.int64)
    else:
        nf = np.full(count, as_int("n_filler", n_filler, min_value=0), dtype=np.int64)
    lengths = len(_intro("Jane", "John")) + FILLER_LEN * nf + len(_question("Jane", "John"))
    T = int(lengths.max())
    if pad_to is not None:
        T = as_int("pad_to", pad_to, min_value=T)
    k = len(NAMES)
    first = rng.integers(0, k, size=count)
    second = (first + rng.integers(1, k, size=count)) % k  # uniform over the other names
    tokens = np.full((T, count), VOCAB.pad_id, dtype=np.int64)
    for j in range(count):
        fill = rng.integers(0, len(FILLERS), size=nf[j])
        words = story_words(NAMES[first[j]], NAMES[second[j]], tuple(fill.tolist()))
        tokens[: len(words), j] = VOCAB.ids(words)
    answer_pos = lengths - 2
    decisive = np.full(count, DECISIVE_POS, dtype=np.int64)
    return Stories(
        tokens=tokens,
        lengths=lengths,
        n_filler=nf,
        decisive_pos=decisive,
        answer_pos=answer_pos,
        distance=answer_pos - decisive,
        answer=VOCAB.name_ids[second],
        speaker=VOCAB.name_ids[first],
    )
