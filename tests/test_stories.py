"""The "Jane said hi to __" story generator (helpers.tasks): layout, distances, determinism,
and that the answer can be recovered from the introduction only."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pytest

from helpers import tasks
from helpers.tasks import FILLERS, NAMES, VOCAB


def _parse(words: list[str]) -> dict:
    """An independent reading of one story's words: where the names are, what the fillers are."""
    name_pos = [i for i, w in enumerate(words) if w in NAMES]
    first_stop = words.index(".")
    return {
        "name_pos": name_pos,
        "decisive": name_pos[1],  # the second name said
        "answer": name_pos[-1],  # the last name of the story
        "speaker": words[name_pos[2]],
        "intro_end": words.index(".", first_stop + 1) + 1,
        "question_start": name_pos[2],
    }


def _story_words(batch: tasks.Stories, j: int) -> list[str]:
    return VOCAB.words(batch.tokens[: batch.lengths[j], j])


@pytest.mark.parametrize("n_filler", [0, 1, 2, 5, 9])
def test_distance_is_as_asked(n_filler):
    batch = tasks.stories(40, n_filler, rng=np.random.default_rng(n_filler))
    expected = tasks.BASE_DISTANCE + tasks.FILLER_LEN * n_filler
    assert tasks.distance_of(n_filler) == expected
    assert np.all(batch.distance == expected)
    for j in range(len(batch)):
        words = _story_words(batch, j)
        info = _parse(words)
        assert len(info["name_pos"]) == 4  # A, B in the introduction; A, B in the question
        assert info["answer"] - info["decisive"] == batch.distance[j]
        assert info["decisive"] == batch.decisive_pos[j] and info["answer"] == batch.answer_pos[j]
        assert words[info["decisive"]] == words[info["answer"]] == VOCAB.words([batch.answer[j]])[0]
        assert words[-1] == "." and words[info["answer"] - 4 : info["answer"]][1:] == [
            "said",
            "hi",
            "to",
        ]
        # the filler region holds exactly n_filler sentences of FILLER_LEN tokens
        region = words[info["intro_end"] : info["question_start"]]
        assert len(region) == tasks.FILLER_LEN * n_filler
        chunks = [
            tuple(region[i : i + tasks.FILLER_LEN]) for i in range(0, len(region), tasks.FILLER_LEN)
        ]
        assert all(c in FILLERS for c in chunks)


def test_one_filler_count_per_story_and_padding():
    nf = np.array([3, 0, 1, 4, 2])
    batch = tasks.stories(5, nf, rng=np.random.default_rng(1), pad_to=40)
    assert batch.tokens.shape == (40, 5) and batch.tokens.dtype.kind == "i"
    assert np.array_equal(batch.n_filler, nf)
    assert np.array_equal(batch.distance, tasks.BASE_DISTANCE + tasks.FILLER_LEN * nf)
    for j in range(5):
        L = batch.lengths[j]
        assert np.all(batch.tokens[L:, j] == VOCAB.pad_id)
        assert VOCAB.pad_id not in batch.tokens[:L, j]
    inputs, targets = batch.lm_pairs()
    assert inputs.shape == targets.shape == (39, 5)
    # targets are the next words, −1 exactly on padding
    assert np.array_equal(targets >= 0, batch.tokens[1:] != VOCAB.pad_id)
    cols = np.arange(5)
    assert np.array_equal(targets[batch.answer_pos - 1, cols], batch.answer)
    # without pad_to, T is the longest story
    assert tasks.stories(5, nf, rng=np.random.default_rng(1)).tokens.shape[0] == batch.lengths.max()


def test_deterministic_under_a_seed():
    a = tasks.stories(50, 3, rng=np.random.default_rng(7))
    b = tasks.stories(50, 3, rng=np.random.default_rng(7))
    c = tasks.stories(50, 3, rng=np.random.default_rng(8))
    assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.answer, b.answer)
    assert not np.array_equal(a.tokens, c.tokens)


def test_speaker_is_jane_and_the_answer_is_uniform_over_the_others():
    batch = tasks.stories(6000, 0, rng=np.random.default_rng(3))
    assert np.all(batch.speaker == VOCAB.ids([tasks.SPEAKER])[0])
    others = [n for n in NAMES if n != tasks.SPEAKER]
    k = len(others)
    freq = np.array([np.mean(batch.answer == VOCAB.ids([n])[0]) for n in others])
    assert np.isclose(freq.sum(), 1.0)  # the answer is never the speaker
    assert np.all(np.abs(freq - 1 / k) < 4 * np.sqrt((1 / k) * (1 - 1 / k) / len(batch)))


def test_vectorised_batch_matches_story_words():
    batch = tasks.stories(30, np.arange(30) % 4, rng=np.random.default_rng(2))
    for j in range(30):
        words = _story_words(batch, j)
        info = _parse(words)
        region = words[info["intro_end"] : info["question_start"]]
        fillers = [FILLERS.index(tuple(region[i : i + 4])) for i in range(0, len(region), 4)]
        again = tasks.story_words(words[0], words[info["decisive"]], fillers)
        assert again == words
        assert batch.text(j) == " ".join(words)


def test_filler_never_contains_names():
    for sentence in FILLERS:
        assert len(sentence) == tasks.FILLER_LEN and sentence[-1] == "."
        assert not set(sentence) & set(NAMES)
    batch = tasks.stories(500, 6, rng=np.random.default_rng(4))
    for j in range(0, 500, 7):
        words = _story_words(batch, j)
        info = _parse(words)
        assert not set(words[info["intro_end"] : info["question_start"]]) & set(NAMES)


def test_swapping_the_decisive_name_changes_only_the_answer():
    """Everything between the decisive word and the answer is the same whichever second name
    the introduction used, and the answer follows that name: it is said only in the intro."""
    rng = np.random.default_rng(5)
    fillers = [0, 3, 5]
    a = NAMES[0]
    base = tasks.story_words(a, NAMES[1], fillers)
    answer_pos = len(base) - 2
    for other in NAMES[2:]:
        story = tasks.story_words(a, other, fillers)
        assert story[answer_pos] == other
        assert story[tasks.DECISIVE_POS] == other
        between = slice(tasks.DECISIVE_POS + 1, answer_pos)
        assert story[between] == base[between]
    del rng


def _window_table_accuracy(k: int, n_filler: int, seed: int) -> tuple[float, float]:
    """Best accuracy of any rule that sees only the last k tokens before the answer.

    Counting argument: fit "most frequent answer for this window" on one half of the data,
    score it on the other half (unseen windows score as a wrong guess). Returns
    (held-out accuracy, chance level 1/(names − 1))."""
    batch = tasks.stories(8000, n_filler, rng=np.random.default_rng(seed))
    windows = [tuple(batch.tokens[p - k : p, j]) for j, p in enumerate(batch.answer_pos)]
    half = len(batch) // 2
    table: dict[tuple, Counter] = defaultdict(Counter)
    for w, ans in zip(windows[:half], batch.answer[:half], strict=True):
        table[w][int(ans)] += 1
    hits = sum(
        1
        for w, ans in zip(windows[half:], batch.answer[half:], strict=True)
        if w in table and table[w].most_common(1)[0][0] == ans
    )
    return hits / (len(batch) - half), 1 / (len(NAMES) - 1)


@pytest.mark.parametrize("n_filler", [0, 1])
def test_a_reader_of_the_last_k_tokens_cannot_beat_chance_when_k_below_distance(n_filler):
    d = tasks.distance_of(n_filler)
    acc, chance = _window_table_accuracy(d - 1, n_filler, seed=10 + n_filler)
    n_test = 4000
    assert abs(acc - chance) < 4 * np.sqrt(chance * (1 - chance) / n_test), (acc, chance)
    # the control: a window that reaches the decisive word answers every story
    acc_full, _ = _window_table_accuracy(d, n_filler, seed=10 + n_filler)
    assert acc_full > 0.99


def test_vocab_round_trip_and_errors():
    assert VOCAB.words([VOCAB.pad_id]) == [tasks.PAD] and VOCAB.pad_id == 0
    words = tasks.story_words("Jane", "John", [0])
    assert VOCAB.words(VOCAB.ids(words)) == words
    assert len(VOCAB) == len(set(VOCAB.words_list))
    assert [VOCAB.words([i])[0] for i in VOCAB.name_ids] == list(NAMES)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        VOCAB.ids(["Jane", "Zebedee"])
    with pytest.raises(ValueError, match="ids must lie"):
        VOCAB.words([len(VOCAB)])
    with pytest.raises(TypeError, match="ids must be integers"):
        VOCAB.words(np.array([0.5]))


def test_bad_arguments_are_named():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be >= 1"):
        tasks.stories(0, 1, rng=rng)
    with pytest.raises(ValueError, match="n_filler must be >= 0"):
        tasks.stories(3, -1, rng=rng)
    with pytest.raises(ValueError, match="n_filler must be an int or 3 ints"):
        tasks.stories(3, [1, 2], rng=rng)
    with pytest.raises(TypeError, match="n_filler must be an integer"):
        tasks.stories(3, 1.5, rng=rng)
    with pytest.raises(TypeError, match="rng must be"):
        tasks.stories(3, 1, rng=0)
    with pytest.raises(ValueError, match="pad_to must be >="):
        tasks.stories(3, 2, rng=rng, pad_to=5)
    with pytest.raises(ValueError, match="first and second must be different"):
        tasks.story_words("Jane", "Jane")
    with pytest.raises(ValueError, match="second must be one of"):
        tasks.story_words("Jane", "Zebedee")
    with pytest.raises(ValueError, match="fillers"):
        tasks.story_words("Jane", "John", [len(FILLERS)])
