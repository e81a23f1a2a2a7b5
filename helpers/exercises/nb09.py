"""Exercises of notebook 09: drawing the next character at a temperature, and the held-out
loss and perplexity of a character model read in chunks with its state carried."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers import charlm
from helpers.exercises.core import Hint, check

# ---------------------------------------------------------------- Exercise 1: sampling


def reference_sample_next(
    logits: np.ndarray, temperature: float, u: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``probs`` (B, V) = softmax(logits / T) per row; ``ids`` (B,): for row b the smallest
    i with cumsum(probs[b])[i] > u[b] (inverse CDF), at most V − 1."""
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p = p / p.sum(axis=-1, keepdims=True)
    ids = (np.cumsum(p, axis=-1) <= np.asarray(u)[:, None]).sum(axis=-1)
    return p, np.minimum(ids, p.shape[-1] - 1)


def _draw(p, u):
    return np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _divide_after_exp(logits, temperature, u):
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z) / temperature
    p = p / p.sum(axis=-1, keepdims=True)
    return p, _draw(p, u)


def _times_temperature(logits, temperature, u):
    return reference_sample_next(logits * temperature**2, temperature, u)


def _argmax(logits, temperature, u):
    p, _ = reference_sample_next(logits, temperature, u)
    return p, np.argmax(p, axis=-1)


def _not_normalised(logits, temperature, u):
    z = logits / temperature
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return p, _draw(p / p.sum(axis=-1, keepdims=True), u)


def _wrong_axis(logits, temperature, u):
    z = logits / temperature
    p = np.exp(z - z.max(axis=0, keepdims=True))
    p = p / p.sum(axis=0, keepdims=True)
    return p, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _one_past(logits, temperature, u):
    p, ids = reference_sample_next(logits, temperature, u)
    return p, np.minimum(ids + 1, p.shape[-1] - 1)


def _last_below(logits, temperature, u):
    p, _ = reference_sample_next(logits, temperature, u)
    return p, np.maximum((np.cumsum(p, axis=-1) <= np.asarray(u)[:, None]).sum(axis=-1) - 1, 0)


def _sample_cases() -> list:
    rng = np.random.default_rng(9)
    return [
        ((rng.normal(0, 2, size=(3, 5)), 0.7, rng.random(3)), {}),
        ((rng.normal(0, 3, size=(4, 6)), 1.6, rng.random(4)), {}),
        ((rng.normal(0, 1, size=(5, 4)), 0.25, rng.random(5)), {}),
        ((np.array([[800.0, 799.0, 790.0], [-5.0, 700.0, 699.0]]), 1.0, np.array([0.5, 0.9])), {}),
    ]


SAMPLE_MISTAKES = [
    (
        _divide_after_exp,
        "your probabilities do not depend on the temperature (not used, or divided after "
        "exp, where the normalisation cancels it): divide the LOGITS by T, then exponentiate.",
    ),
    (
        _times_temperature,
        "you multiplied the logits by the temperature: a high T must FLATTEN the distribution, "
        "so divide the logits by T.",
    ),
    (
        _argmax,
        "your ids are the most likely characters (argmax): that is greedy decoding, not "
        "sampling. Draw with u: the first i where the cumulative probability exceeds u.",
    ),
    (
        _one_past,
        "your ids are one too large: the drawn id is the FIRST i whose cumulative probability "
        "exceeds u (count the entries of the cumulative sum that are <= u; do not add 1).",
    ),
    (
        _last_below,
        "your ids are one too small: you took the LAST i whose cumulative probability is <= u; "
        "the drawn id is the first i where it exceeds u.",
    ),
    (
        _not_normalised,
        "your probabilities do not sum to 1: divide exp(z) by its sum along each row.",
    ),
    (
        _wrong_axis,
        "you normalised down the columns (axis 0, across the batch): each ROW is one "
        "distribution over the vocabulary (axis -1).",
    ),
]


def check_sample_next(student: Callable) -> Callable:
    """Exercise 1: ``sample_next(logits (B, V), temperature, u (B,)) -> (probs, ids)``."""
    hints = [
        Hint(
            lambda d: d.leaf == "output[1]" and d.kind not in ("shape", "nan"),
            "if your probs are right, your ids are not: each id must come from the given "
            "u[b] (no random numbers of your own) by the inverse CDF, along each row.",
        ),
        Hint(
            lambda d: d.kind == "nan" and d.case == 3,  # the case with logits near 800
            "exp of a logit near 800 overflows: subtract each row's largest logit before "
            "exp (softmax does not change when a whole row moves by the same amount).",
        ),
    ]
    return check(
        "Exercise 1 (drawing the next character)",
        student,
        reference_sample_next,
        _sample_cases(),
        hints=hints,
        mistakes=SAMPLE_MISTAKES,
        axis_names={"output[0]": ("row", "character"), "output[1]": ("row",)},
    )


# -------------------------------------------- Exercise 2: held-out loss and perplexity


def reference_held_out(params: dict, ids: np.ndarray, k: int, carry: bool = True) -> dict:
    """Mean loss (nats per predicted character) and perplexity of one model on ``ids``
    (N, B), read in chunks of k inputs; the state is carried between chunks (or reset)."""
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for start in range(0, N - 1, k):
        x = ids[start : min(start + k, N - 1)]
        y = ids[start + 1 : start + 1 + len(x)]
        logp, h_last = charlm.log_probs(params, x, h if carry else None)
        total -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        count += y.size
        h = h_last
    mean = total / count
    return {"loss": mean, "perplexity": np.exp(mean)}


def _reset_each_chunk(params, ids, k, carry=True):
    return reference_held_out(params, ids, k, carry=False)


def _always_carry(params, ids, k, carry=True):
    return reference_held_out(params, ids, k, carry=True)


def _skip_boundary(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for start in range(0, N, k):
        chunk = ids[start : start + k]
        logp, h = charlm.log_probs(params, chunk, h if carry else None)
        y = chunk[1:]
        total -= np.take_along_axis(logp[:-1], y[..., None], axis=-1).sum()
        count += y.size
    mean = total / count
    return {"loss": mean, "perplexity": np.exp(mean)}


def _mean_of_chunk_means(params, ids, k, carry=True):
    N = ids.shape[0]
    means, h = [], None
    for start in range(0, N - 1, k):
        x = ids[start : min(start + k, N - 1)]
        y = ids[start + 1 : start + 1 + len(x)]
        logp, h_last = charlm.log_probs(params, x, h if carry else None)
        means.append(-np.take_along_axis(logp, y[..., None], axis=-1).mean())
        h = h_last
    mean = float(np.mean(means))
    return {"loss": mean, "perplexity": np.exp(mean)}


def _bits(params, ids, k, carry=True):
    r = reference_held_out(params, ids, k, carry)
    return {"loss": r["loss"] / np.log(2), "perplexity": r["perplexity"]}


def _two_to_the_nats(params, ids, k, carry=True):
    r = reference_held_out(params, ids, k, carry)
    return {"loss": r["loss"], "perplexity": 2.0 ** r["loss"]}


def _exp_of_sum(params, ids, k, carry=True):
    r = reference_held_out(params, ids, k, carry)
    return {"loss": r["loss"], "perplexity": np.exp(r["loss"] * (ids.shape[0] - 1) * ids.shape[1])}


def _per_character_count(params, ids, k, carry=True):
    r = reference_held_out(params, ids, k, carry)
    mean = r["loss"] * (ids.shape[0] - 1) / ids.shape[0]
    return {"loss": mean, "perplexity": np.exp(mean)}


def _targets_not_shifted(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for start in range(0, N - 1, k):
        x = ids[start : min(start + k, N - 1)]
        logp, h_last = charlm.log_probs(params, x, h if carry else None)
        total -= np.take_along_axis(logp, x[..., None], axis=-1).sum()
        count += x.size
        h = h_last
    return {"loss": total / count, "perplexity": np.exp(total / count)}


def _drop_short_chunk(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for start in range(0, N - k, k):
        x, y = ids[start : start + k], ids[start + 1 : start + k + 1]
        logp, h = charlm.log_probs(params, x, h if carry else None)
        total -= np.take_along_axis(logp, y[..., None], axis=-1).sum()
        count += y.size
    return {"loss": total / count, "perplexity": np.exp(total / count)}


def _mean_of_exp(params, ids, k, carry=True):
    N = ids.shape[0]
    nats, h = [], None
    for start in range(0, N - 1, k):
        x = ids[start : min(start + k, N - 1)]
        y = ids[start + 1 : start + 1 + len(x)]
        logp, h = charlm.log_probs(params, x, h if carry else None)
        nats.append(-np.take_along_axis(logp, y[..., None], axis=-1).ravel())
    every = np.concatenate(nats)
    return {"loss": every.mean(), "perplexity": np.exp(every).mean()}


def _held_out_cases() -> list:
    rng = np.random.default_rng(19)
    cases = []
    for V, H, N, B, k, carry in (
        (7, 5, 14, 3, 4, True),
        (6, 4, 11, 2, 3, True),
        (5, 3, 9, 4, 5, False),
    ):
        params = charlm.init_stack(V, H, seeds=[int(rng.integers(1000))])
        one = {name: a[0] * 2.0 for name, a in params.items()}
        one["b"] = rng.normal(0, 0.5, size=H)
        one["by"] = rng.normal(0, 0.5, size=V)
        cases.append(((one, rng.integers(0, V, size=(N, B)), k, carry), {}))
    return cases


HELD_OUT_MISTAKES = [
    (
        _reset_each_chunk,
        "you started every chunk from h = 0: with carry=True the state at the end of one "
        "chunk is the starting state of the next (only its gradient is cut, not its value).",
    ),
    (
        _always_carry,
        "with carry=False every chunk must start from h = 0 (pass h0=None).",
    ),
    (
        _skip_boundary,
        "you lost the prediction across each chunk boundary: the last input of a chunk "
        "predicts the first character of the next. Take inputs ids[s : s+k] and targets "
        "ids[s+1 : s+k+1].",
    ),
    (
        _mean_of_chunk_means,
        "you averaged the chunks' mean losses: the last chunk is shorter, so weight every "
        "predicted character equally (total nats / number of predictions).",
    ),
    (
        _per_character_count,
        "you divided by N·B: a stream of N characters has N − 1 predictions (the first "
        "character has no predecessor), so divide by (N − 1)·B.",
    ),
    (
        _targets_not_shifted,
        "you scored each input character itself: the target of input ids[t] is the NEXT "
        "character ids[t+1].",
    ),
    (
        _drop_short_chunk,
        "you dropped the last, shorter chunk: read up to the last prediction (inputs up to "
        "ids[N-2], targets up to ids[N-1]).",
    ),
    (
        _mean_of_exp,
        "your perplexity is the mean of e^(loss) over characters: it is e^(mean loss), the "
        "exponential of the average, not the average of the exponentials.",
    ),
    (
        _bits,
        "your loss is in bits (log base 2): the course measures it in nats (natural log); "
        "1 nat = 1.4427 bits.",
    ),
    (
        _two_to_the_nats,
        "perplexity is e^(mean loss in nats), not 2^(loss in nats): the base must match the "
        "logarithm's.",
    ),
    (
        _exp_of_sum,
        "perplexity is exp of the MEAN loss per character, not of the total: it is the "
        "number of equally likely characters the model is choosing among.",
    ),
]


def check_held_out(student: Callable) -> Callable:
    """Exercise 2: ``held_out(params, ids (N, B), k, carry) -> {"loss", "perplexity"}``."""
    return check(
        "Exercise 2 (held-out loss and perplexity)",
        student,
        reference_held_out,
        _held_out_cases(),
        mistakes=HELD_OUT_MISTAKES,
    )
