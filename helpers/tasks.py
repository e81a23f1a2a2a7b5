"""Data for the course's training experiments.

``adding_problem``: the long-lag benchmark in the form of Le, Jaitly & Hinton (2015) and most
code since (values U[0, 1], two marked positions, target = their sum).

``stories``: the "Jane said hi to __" mini-stories of notebook 08 (seed 001), word-level,
with a fixed vocabulary ``VOCAB`` and a chosen number of filler sentences between the
introduction, where the answer is said, and the question, where it is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._validate import as_int, as_int_list, as_str_list, check_product


def adding_problem(
    n: int, length: int, *, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` sequences of the adding problem, time-major.

    Returns ``xs`` (length, n, 2) — channel 0 values drawn from U[0, 1], channel 1 a marker
    with exactly two ones, the first in the first half of the sequence and the second in
    the second half — and ``ys`` (n,), the sum of the two marked values. Always predicting
    1 (the mean of the target) scores MSE 1/6 ≈ 0.1667, the baseline to beat; the answer
    needs the first marked value carried over at least ``length // 2`` steps (on average 3/4).
    """
    count = as_int("n", n, min_value=1)
    T = as_int("length", length, min_value=2)
    check_product("n × length", count, T, 2)
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
# "Jane said hi to __": mini-stories with a long-range dependency (seed 001, notebook 08)
# --------------------------------------------------------------------------------------
#
# A story is
#
#     A walked in . B walked in too . <filler> ... A said hi to B .
#
# with A = ``SPEAKER`` (Jane, as in the seed), B drawn uniformly from the other names, and
# each filler sentence drawn from ``FILLERS`` (no names in them). The answer — the last
# name — is B, said once, in the introduction: the decisive word. Everything after the
# introduction is the same whichever B was chosen, so a reader that has forgotten the
# introduction can only guess among the names ≠ A (chance 1/(names − 1) = 1/5).

#: The names the stories use (a small cast; the first two are the seed's).
NAMES: tuple[str, ...] = ("Jane", "John", "Mary", "Paul", "Anna", "Tom")
#: Who walks in first and says hi, in every story (as in the seed).
SPEAKER = "Jane"

#: Filler sentences: three words and a full stop each (4 tokens), none with a name in it.
FILLERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in (
        "it was late .",
        "the sun set .",
        "a dog barked .",
        "the tea cooled .",
        "the clock ticked .",
        "nobody said anything .",
        "it was warm .",
        "the door creaked .",
    )
)
FILLER_LEN = 4
#: Tokens from the decisive name B to the answer when there is no filler:
#: "B walked in too . A said hi to" is 9 tokens, so the answer sits 9 positions after B.
BASE_DISTANCE = 9
#: Index of the decisive name in every story ("A walked in ." is 4 tokens).
DECISIVE_POS = 4
PAD = "<pad>"


def _intro(first: str, second: str) -> list[str]:
    return [first, "walked", "in", ".", second, "walked", "in", "too", "."]


def _question(first: str, second: str) -> list[str]:
    return [first, "said", "hi", "to", second, "."]


class _Vocab:
    """A fixed word list with ids: ``ids(words)`` and ``words(ids)``; id 0 is ``"<pad>"``.

    ``len(vocab)`` is the vocabulary size V; ``name_ids`` are the ids of ``NAMES`` in order.
    """

    def __init__(self, words: tuple[str, ...]) -> None:
        words = tuple(as_str_list("words", words))
        if len(set(words)) != len(words):
            raise ValueError("words must be distinct")
        missing = [w for w in (PAD, *NAMES) if w not in words]
        if missing:
            raise ValueError(f"words must include {PAD!r} and every name; missing {missing}")
        self._words = words
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
        words = as_str_list("words", words)
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
    for w in [
        *NAMES,
        *_intro("Jane", "John"),
        *_question("Jane", "John"),
        *(w for s in FILLERS for w in s),
    ]:
        if w not in words:
            words.append(w)
    return tuple(words)


#: The one vocabulary of the story task (V = len(VOCAB)).
VOCAB = _Vocab(_all_words())
_INTRO_IDS = VOCAB.ids(_intro("Jane", "John"))
_QUESTION_IDS = VOCAB.ids(_question("Jane", "John"))
_FILLER_IDS = np.stack([VOCAB.ids(f) for f in FILLERS])  # (F, FILLER_LEN)


def story_words(first: str, second: str, fillers: list[int] | tuple[int, ...] = ()) -> list[str]:
    """The words of one story: introduction of ``first`` then ``second``, the filler
    sentences ``FILLERS[i]`` for i in ``fillers``, and the question whose answer is ``second``."""
    for arg, name in (("first", first), ("second", second)):
        if name not in NAMES:
            raise ValueError(f"{arg} must be one of {NAMES}, got {name!r}")
    if first == second:
        raise ValueError(f"first and second must be different names, both are {first!r}")
    body: list[str] = []
    for j in as_int_list("fillers", fillers, min_value=0, max_value=len(FILLERS) - 1):
        body.extend(FILLERS[j])
    return [*_intro(first, second), *body, *_question(first, second)]


@dataclass
class Stories:
    """A batch of B stories, time-major, padded at the end with ``VOCAB.pad_id``.

    tokens        (T, B) int   word ids; T = the longest story (or ``pad_to``)
    lengths       (B,)   int   tokens in each story (the rest of its column is padding)
    n_filler      (B,)   int   filler sentences in each story
    decisive_pos  (B,)   int   index of the decisive word (the second name, always 4)
    answer_pos    (B,)   int   index of the answer (the last name)
    distance      (B,)   int   answer_pos − decisive_pos = 9 + 4·n_filler tokens
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

    def __post_init__(self) -> None:
        tokens = self._ints("tokens", self.tokens, 2)
        if tokens.size and (tokens.min() < 0 or tokens.max() >= len(VOCAB)):
            raise ValueError(f"tokens must be word ids in [0, {len(VOCAB)})")
        T, B = tokens.shape
        for name in ("lengths", "n_filler", "decisive_pos", "answer_pos", "distance"):
            arr = self._ints(name, getattr(self, name), 1)
            if arr.shape != (B,):
                raise ValueError(
                    f"{name} must have shape (B,) = ({B},) (B from tokens), got {arr.shape}"
                )
            if arr.size and (arr.min() < 0 or arr.max() > T):
                raise ValueError(f"{name} must lie in [0, T = {T}] (T from tokens)")
            setattr(self, name, arr)
        for name in ("answer", "speaker"):
            arr = self._ints(name, getattr(self, name), 1)
            if arr.shape != (B,):
                raise ValueError(
                    f"{name} must have shape (B,) = ({B},) (B from tokens), got {arr.shape}"
                )
            if arr.size and not np.isin(arr, VOCAB.name_ids).all():
                raise ValueError(f"{name} must hold the word ids of names (VOCAB.name_ids)")
            setattr(self, name, arr)
        if np.any(self.answer_pos >= self.lengths):
            raise ValueError("answer_pos must lie inside each story (answer_pos < lengths)")
        self.tokens = tokens

    @staticmethod
    def _ints(name: str, value: object, ndim: int) -> np.ndarray:
        arr = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
        if arr is None or arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
            what = type(value).__name__ if arr is None else f"dtype {arr.dtype}"
            raise TypeError(f"{name} must be an integer array, got {what}")
        if arr.ndim != ndim:
            raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
        return arr

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

    Names: A is ``SPEAKER`` (Jane), B uniform over the other names; fillers drawn uniformly
    with replacement. The answer is ``distance = 9 + 4·n_filler`` tokens after the decisive word.
    ``pad_to`` fixes T (at least the longest story), so batches of different fillers line up.
    """
    count = as_int("n", n, min_value=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    if isinstance(n_filler, (list, tuple, np.ndarray)):
        nf = np.asarray(n_filler)
        if nf.shape != (count,) or not np.issubdtype(nf.dtype, np.integer):
            raise ValueError(
                f"n_filler must be an int or {count} ints (one per story), got "
                f"shape {nf.shape} dtype {nf.dtype}"
            )
        if nf.min() < 0:
            raise ValueError(f"n_filler must be >= 0, got {nf.min()}")
        nf = nf.astype(np.int64)
    else:
        nf = np.full(count, as_int("n_filler", n_filler, min_value=0), dtype=np.int64)
    lengths = len(_intro("Jane", "John")) + FILLER_LEN * nf + len(_question("Jane", "John"))
    T = int(lengths.max())
    if pad_to is not None:
        T = as_int("pad_to", pad_to, min_value=T)
    check_product("n × (story length for n_filler, or pad_to)", count, T)
    first = np.full(count, NAMES.index(SPEAKER))
    second = 1 + rng.integers(0, len(NAMES) - 1, size=count)  # uniform over the others
    # Vectorised assembly (the same words as ``story_words``, which the tests check).
    intro, question = _INTRO_IDS, _QUESTION_IDS  # templates with slots for the names
    tokens = np.full((T, count), VOCAB.pad_id, dtype=np.int64)
    a_ids, b_ids = VOCAB.name_ids[first], VOCAB.name_ids[second]
    n_intro = intro.size
    tokens[:n_intro] = intro[:, None]
    tokens[0], tokens[DECISIVE_POS] = a_ids, b_ids
    n_max = int(nf.max())
    fill = rng.integers(0, len(FILLERS), size=(count, n_max))
    pos = n_intro + FILLER_LEN * np.arange(n_max)[:, None] + np.arange(FILLER_LEN)  # (n_max, L)
    for j_slot in range(n_max):
        rows = np.flatnonzero(nf > j_slot)
        tokens[pos[j_slot][:, None], rows] = _FILLER_IDS[fill[rows, j_slot]].T
    cols = np.arange(count)
    q_start = n_intro + FILLER_LEN * nf
    for i, word_id in enumerate(question):
        tokens[q_start + i, cols] = word_id
    tokens[q_start, cols] = a_ids
    tokens[q_start + 4, cols] = b_ids
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
