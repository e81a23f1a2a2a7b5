"""A small word-level language model: one-hot words → recurrent cell → softmax.

The model is the one of ``helpers.train`` with loss ``"xent_all"``: any cell module
(``helpers.rnn``, ``.lstm``, ``.gru``) plus a read-out ``Wy`` (V, H), ``by`` (V,). Words enter
as one-hot vectors (input size D = V), which needs no embedding parameters: column ``i`` of
``Wx`` *is* the embedding of word ``i``.

Shapes (time-major)::

    ids     (T, B)      int word ids
    xs      (T, B, V)   one-hot inputs
    logits  (T, B, V)   W_y h_t + b_y, the scores of the next word

A stack of M models (``helpers.train.init_stack``) reads the same ids: ``logits`` is then
(M, T, B, V), ``answer_probs`` (M, B, V) and ``accuracy_by_distance``'s accuracy (M, K).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from helpers import tasks
from helpers._validate import as_array, as_float, as_int
from helpers.train import predict


def _ids(name: str, ids: object, size: int) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be integer word ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        raise ValueError(f"{name} must hold ids in [0, {size}), got {arr.min()}..{arr.max()}")
    return arr


def one_hot(ids: np.ndarray, size: int) -> np.ndarray:
    """Integer ids of any shape (…) → float64 one-hot vectors (…, size)."""
    V = as_int("size", size, min_value=1)
    arr = _ids("ids", ids, V)
    out = np.zeros((*arr.shape, V))
    np.put_along_axis(out, arr[..., None], 1.0, axis=-1)
    return out


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax over the last axis of ``logits / temperature`` (temperature > 0), computed stably.

    A score of +inf takes all the probability (shared equally among the +inf scores of its
    row), −inf scores get 0; NaN scores, or a row of −inf only, have no distribution and
    are refused by name.
    """
    tau = as_float("temperature", temperature, positive=True)
    z = as_array("logits", logits, finite=False)
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits must have at least one score on the last axis, got {z.shape}")
    if np.isnan(z).any():
        raise ValueError(
            f"logits contain {int(np.isnan(z).sum())} NaN: there is no distribution to take "
            "(have the parameters diverged?)"
        )
    z = z / tau
    top = z.max(axis=-1, keepdims=True)
    if np.isneginf(top).any():
        raise ValueError("logits has a row of -inf scores only: no word has any probability")
    with np.errstate(invalid="ignore"):
        e = np.where(np.isposinf(top), np.isposinf(z).astype(float), np.exp(z - top))
    return e / e.sum(axis=-1, keepdims=True)


def _model(params: object) -> dict[str, np.ndarray]:
    """``params`` checked as a model (or a stack): a dict of finite arrays with a read-out."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    if "Wy" not in params:
        raise ValueError(f"params has no read-out 'Wy': keys {sorted(params)}")
    out = {k: as_array(f"params[{k!r}]", v) for k, v in params.items()}
    if out["Wy"].ndim not in (2, 3):
        raise ValueError(
            f"params['Wy'] must have shape (V, H), or (M, V, H) for a stack, got {out['Wy'].shape}"
        )
    Wx = out.get("Wx")
    if Wx is not None and Wx.ndim >= 2 and Wx.shape[-1] != out["Wy"].shape[-2]:
        raise ValueError(
            f"params['Wy'] scores {out['Wy'].shape[-2]} words but params['Wx'] reads "
            f"{Wx.shape[-1]} (one-hot words): a word model has both equal to the vocabulary size"
        )
    return out


def logits(
    cell: ModuleType, params: dict[str, np.ndarray], ids: np.ndarray, **cell_kwargs: Any
) -> np.ndarray:
    """Scores of the next word after every prefix: ``ids`` (T, B) → (T, B, V) ((M, T, B, V)
    for a stack)."""
    params = _model(params)
    V = np.shape(params["Wy"])[-2]
    arr = _ids("ids", ids, V)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"ids must have shape (T, B) with T, B >= 1, got {arr.shape}")
    return predict(cell, params, one_hot(arr, V), **cell_kwargs)


def answer_probs(
    cell: ModuleType, params: dict[str, np.ndarray], batch: tasks.Stories, **cell_kwargs: Any
) -> np.ndarray:
    """The model's distribution of the answer word of each story: (B, V) ((M, B, V) for a stack).

    It is the next-word distribution after reading the story up to "… A said hi to".
    """
    if not isinstance(batch, tasks.Stories):
        raise TypeError("batch must be a helpers.tasks.Stories (from tasks.stories)")
    inputs, _ = batch.lm_pairs()
    out = softmax(logits(cell, params, inputs, **cell_kwargs))
    return out[..., batch.answer_pos - 1, np.arange(len(batch)), :]


def accuracy_by_distance(
    cell: ModuleType, params: dict[str, np.ndarray], batch: tasks.Stories, **cell_kwargs: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Greedy answer accuracy grouped by distance: ``(distances, accuracy, counts)``, each (K,)
    (accuracy (M, K) for a stack of M models)."""
    probs = answer_probs(cell, params, batch, **cell_kwargs)
    correct = probs.argmax(axis=-1) == batch.answer
    dists = np.unique(batch.distance)
    acc = np.stack([correct[..., batch.distance == d].mean(axis=-1) for d in dists], axis=-1)
    counts = np.array([np.sum(batch.distance == d) for d in dists])
    return dists, acc, counts


def answer_targets(batch: tasks.Stories) -> np.ndarray:
    """Next-word targets (T−1, B) that keep only the answer: −1 everywhere else.

    With loss ``"xent_all"`` this is the cross-entropy of the blank, −log p(answer | story),
    averaged over the batch: a cloze test instead of a full language-model loss.
    """
    if not isinstance(batch, tasks.Stories):
        raise TypeError("batch must be a helpers.tasks.Stories (from tasks.stories)")
    _, targets = batch.lm_pairs()
    out = np.full_like(targets, -1)
    cols = np.arange(len(batch))
    out[batch.answer_pos - 1, cols] = targets[batch.answer_pos - 1, cols]
    return out


def batch_source(
    batch_size: int,
    n_filler: Sequence[int],
    *,
    rng: np.random.Generator,
    answer_only: bool = False,
) -> Callable[[int], tuple[np.ndarray, np.ndarray]]:
    """``data(step) -> (xs, ys)`` for ``helpers.train.fit``: each call draws ``batch_size``
    fresh stories with filler counts uniform over ``n_filler``; ``xs`` one-hot (T, B, V),
    ``ys`` next-word ids (T, B) with −1 on padding (and, with ``answer_only=True``, −1
    everywhere but the answer: see ``answer_targets``). T is fixed by the longest story."""
    bsz = as_int("batch_size", batch_size, min_value=1)
    choices = np.asarray(n_filler)
    if choices.ndim != 1 or choices.size == 0 or not np.issubdtype(choices.dtype, np.integer):
        raise ValueError(f"n_filler must be a non-empty list of ints, got {n_filler!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    longest = tasks.stories(1, int(choices.max()), rng=np.random.default_rng(0)).tokens.shape[0]
    V = len(tasks.VOCAB)

    def data(_step: int) -> tuple[np.ndarray, np.ndarray]:
        nf = rng.choice(choices, size=bsz)
        batch = tasks.stories(bsz, nf, rng=rng, pad_to=longest)
        inputs, targets = batch.lm_pairs()
        if answer_only:
            targets = answer_targets(batch)
        return one_hot(inputs, V), targets

    return data


def generate(
    cell: ModuleType,
    params: dict[str, np.ndarray],
    prompt: Sequence[str],
    *,
    temperature: float = 0.0,
    rng: np.random.Generator | None = None,
    max_words: int = 40,
    stop: str | None = None,
    **cell_kwargs: Any,
) -> list[str]:
    """Continue ``prompt`` (a list of words) one word at a time, feeding each word back.

    ``temperature=0``: greedy (the most likely word every time). ``temperature > 0``: sample
    from softmax(logits / temperature) with ``rng`` (small → close to greedy, 1 → the model's
    own distribution, large → close to uniform). Stops after ``max_words`` new words, or after
    the word ``stop`` is produced. Returns the new words only. Each step re-reads the whole
    sequence (O(T²) but T is tiny), so it works for any cell module.
    """
    params = _model(params)
    if np.ndim(params.get("Wx", 0)) != 2:
        raise ValueError(
            "generate takes one model; for a stack pick one: stacking.unstack(params, m)"
        )
    if isinstance(prompt, str) or not isinstance(prompt, Sequence):
        raise TypeError(
            f"prompt must be a list of words, e.g. 'Jane said hi to'.split(), "
            f"got {type(prompt).__name__}"
        )
    words = list(prompt)
    if not words:
        raise ValueError("prompt must contain at least one word")
    if not all(isinstance(w, str) for w in words):
        raise TypeError("prompt must be a list of words (strings)")
    ids = list(tasks.VOCAB.ids(words))
    tau = as_float("temperature", temperature, min_value=0.0)
    if tau > 0 and not isinstance(rng, np.random.Generator):
        raise TypeError("sampling with temperature > 0 needs rng=np.random.default_rng(seed)")
    n = as_int("max_words", max_words, min_value=1)
    if stop is not None and stop not in tasks.VOCAB:
        raise ValueError(f"stop must be a word of the vocabulary, got {stop!r}")
    new: list[str] = []
    for _ in range(n):
        scores = logits(cell, params, np.array(ids)[:, None], **cell_kwargs)[-1, 0]
        if tau == 0:
            nxt = int(np.argmax(scores))
        else:
            nxt = int(rng.choice(scores.size, p=softmax(scores, tau)))
        ids.append(nxt)
        word = tasks.VOCAB.words([nxt])[0]
        new.append(word)
        if word == stop:
            break
    return new
