"""Exercises of notebook 07: free-running generation, the inverse-sigmoid schedule's
crossing, and the teacher-forced loss. Each checker knows the mistakes students make."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers import generative, rnn, train
from helpers.exercises.core import Case, Hint, check

Params = Mapping[str, np.ndarray]


def _model(H: int, scale: float, seed: int) -> dict[str, np.ndarray]:
    """A character model with weights scaled by ``scale`` (larger: livelier argmax paths) and
    non-zero biases ``b`` (H,) and ``by`` (V,), so that a missing bias cannot hide (``init``
    sets ``b = 0``)."""
    params = generative.init_model(H, rng=np.random.default_rng(seed))
    return {k: v * scale for k, v in params.items()} | {
        "b": np.random.default_rng(seed + 200).normal(0, 0.5, H),
        "by": np.random.default_rng(seed + 100).normal(0, 0.5, generative.V),
    }


def _step(
    params: Params,
    ids: np.ndarray,
    h: np.ndarray,
    *,
    transpose_wh: bool = False,
    hidden_bias: bool = True,
):
    Wh = params["Wh"] if transpose_wh else params["Wh"].T
    b = params["b"] if hidden_bias else 0.0
    return np.tanh(generative.one_hot(ids) @ params["Wx"].T + h @ Wh + b)


def _readout(params: Params, h: np.ndarray, *, output_bias: bool = True) -> np.ndarray:
    return (h @ params["Wy"].T + (params["by"] if output_bias else 0.0)).argmax(axis=1)


# --- Exercise 1: generate ------------------------------------------------------------------
def reference_generate(params: Params, prompt: np.ndarray, n: int) -> np.ndarray:
    """Read ``prompt`` (P, B) from h = 0, then write ``n`` most-likely characters: (n, B)."""
    return generative.generate(params, prompt, n)


def _generate_variant(
    params: Params,
    prompt: np.ndarray,
    n: int,
    *,
    read: slice = slice(None),
    reread_last: bool = False,
    carry: bool = True,
    transpose_wh: bool = False,
    hidden_bias: bool = True,
    output_bias: bool = True,
) -> np.ndarray:
    kw = {"transpose_wh": transpose_wh, "hidden_bias": hidden_bias}
    h = np.zeros((prompt.shape[1], params["Wh"].shape[0]))
    for ids in prompt[read]:
        h = _step(params, ids, h, **kw)
    if reread_last:
        h = _step(params, prompt[-1], h, **kw)
    out = np.empty((n, prompt.shape[1]), dtype=np.int64)
    for t in range(n):
        out[t] = _readout(params, h, output_bias=output_bias)
        h = _step(params, out[t], h if carry else np.zeros_like(h), **kw)
    return out


def _skips_last_prompt_character(params, prompt, n):
    return _generate_variant(params, prompt, n, read=slice(None, -1))


def _reads_last_prompt_character_twice(params, prompt, n):
    return _generate_variant(params, prompt, n, reread_last=True)


def _state_not_carried(params, prompt, n):
    return _generate_variant(params, prompt, n, carry=False)


def _wh_transposed(params, prompt, n):
    return _generate_variant(params, prompt, n, transpose_wh=True)


def _no_hidden_bias(params, prompt, n):
    return _generate_variant(params, prompt, n, hidden_bias=False)


def _no_output_bias(params, prompt, n):
    return _generate_variant(params, prompt, n, output_bias=False)


def _returns_prompt_too(params, prompt, n):
    return np.concatenate([prompt, reference_generate(params, prompt, n)])


GENERATE_MISTAKES: list[tuple[Callable, str]] = [
    (
        _skips_last_prompt_character,
        "your first character is predicted before the last prompt character was read: "
        "read all P prompt characters, then predict from the state after the last one.",
    ),
    (
        _reads_last_prompt_character_twice,
        "the last prompt character is fed twice: the state after reading the whole prompt "
        "already predicts the first new character; feed back only what you write.",
    ),
    (
        _state_not_carried,
        "the hidden state is reset to 0 before each written character: carry h from one "
        "step to the next, as while reading the prompt.",
    ),
    (
        _wh_transposed,
        "W_h is applied transposed: the recurrent term is W_h h_{t-1}, i.e. h @ Wh.T for "
        "states stored as rows (B, H).",
    ),
    (
        _no_hidden_bias,
        "the bias b is missing from the state update: h_t = tanh(W_x x_t + W_h h_{t-1} + b).",
    ),
    (
        _no_output_bias,
        "the read-out bias is missing: the logits are W_y h_t + b_y.",
    ),
    (
        _returns_prompt_too,
        "you returned the prompt followed by the new characters: return only the n "
        "characters the model wrote, shape (n, B).",
    ),
]


def _generate_cases() -> list[Case]:
    rng = np.random.default_rng(7)
    cases: list[Case] = []
    for H, B, P, n, scale, seed in [
        (7, 3, 4, 6, 2.5, 1),
        (5, 4, 6, 9, 3.0, 2),
        (9, 2, 1, 5, 2.0, 3),
    ]:
        prompt = rng.integers(0, generative.V, size=(P, B))
        cases.append(((_model(H, scale, seed), prompt, n), {}))
    return cases


def check_generate(student: Callable) -> Callable:
    """Exercise 1: ``generate(params, prompt, n) -> ids (n, B)``, greedy free running."""
    return check(
        "Exercise 1 (generate)",
        student,
        reference_generate,
        _generate_cases(),
        mistakes=GENERATE_MISTAKES,
        hints=[
            Hint(
                lambda d: d.kind == "shape",
                "the argmax is over the vocabulary, axis=1 of the (B, V) logits; the "
                "result holds the n written characters of every sequence, (n, B).",
            )
        ],
        axis_names={"output": ("written character", "sequence")},
    )


# --- Exercise 2: the inverse sigmoid's crossing ---------------------------------------------
def reference_crossing(p: float, k: float) -> float:
    """The iteration i at which k / (k + exp(i/k)) = p: i = k ln(k (1 − p) / p)."""
    return float(k * np.log(k * (1 - p) / p))


CROSSING_MISTAKES: list[tuple[Callable, str]] = [
    (
        lambda p, k: k * np.log((1 - p) / p),
        "the factor k inside the logarithm is missing: k + exp(i/k) = k/p gives "
        "exp(i/k) = k(1 − p)/p.",
    ),
    (
        lambda p, k: k * np.log(k * p / (1 - p)),
        "the ratio is upside down: exp(i/k) = k(1 − p)/p, not k·p/(1 − p) (at small p the "
        "truth is fed rarely, which takes MORE iterations).",
    ),
    (
        lambda p, k: np.log(k * (1 - p) / p),
        "the outer factor k is missing: exp(i/k) = … gives i = k · ln(…).",
    ),
    (
        lambda p, k: k * np.log(k / p),
        "the − k was dropped: k + exp(i/k) = k/p gives exp(i/k) = k/p − k = k(1 − p)/p, not k/p.",
    ),
    (
        lambda p, k: k * np.log((k - p) / p),
        "an algebra slip: p (k + exp(i/k)) = k gives p exp(i/k) = k − p k = k(1 − p), "
        "so exp(i/k) = k(1 − p)/p, not (k − p)/p.",
    ),
    (
        lambda p, k: k * np.log10(k * (1 - p) / p),
        "that is log base 10: the schedule uses exp, so take the natural log (np.log).",
    ),
]


def check_inverse_sigmoid_crossing(student: Callable) -> Callable:
    """Exercise 2: ``inverse_sigmoid_crossing(p, k) -> i`` for 0 < p < k / (k + 1)."""
    cases: list[Case] = [
        ((0.3, 50.0), {}),
        ((0.9, 500.0), {}),
        ((0.1, 500.0), {}),
        ((0.05, 1000.0), {}),
        ((0.7, 20.0), {}),
    ]
    passed_with = check(
        "Exercise 2 (inverse-sigmoid crossing)",
        student,
        reference_crossing,
        cases,
        mistakes=CROSSING_MISTAKES,
    )
    if passed_with is student:
        print(
            f"  With k = 500 the truth is fed more than 90 % of the time for the first "
            f"{reference_crossing(0.9, 500.0):.0f} iterations and less than 10 % after "
            f"{reference_crossing(0.1, 500.0):.0f}."
        )
    return passed_with


# --- Exercise 3: the teacher-forced loss ----------------------------------------------------
def reference_teacher_forced_loss(params: Params, ids: np.ndarray) -> float:
    """Mean next-character cross-entropy with the truth fed: ids (T + 1, B) → a number."""
    ids = np.asarray(ids)
    loss, _ = train.loss_and_grads(
        rnn, params, generative.one_hot(ids[:-1]), ids[1:], loss="xent_all"
    )
    return float(loss)


def _step_losses(
    params: Params,
    ids: np.ndarray,
    *,
    targets_shift: int = 1,
    carry: bool = True,
    transpose_wh: bool = False,
    inputs_shift: int = 0,
):
    """(T, B) cross-entropies with the truth fed; ``targets_shift=0`` predicts the input,
    ``inputs_shift=1`` feeds the targets ids[1:] as inputs."""
    h = np.zeros((ids.shape[1], params["Wh"].shape[0]))
    T = ids.shape[0] - 1
    out = np.empty((T, ids.shape[1]))
    for t in range(T):
        h = _step(
            params,
            ids[t + inputs_shift],
            h if carry else np.zeros_like(h),
            transpose_wh=transpose_wh,
        )
        logits = h @ params["Wy"].T + params["by"]
        logits = logits - logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        out[t] = -logp[np.arange(ids.shape[1]), ids[t + targets_shift]]
    return out


LOSS_MISTAKES: list[tuple[Callable, str]] = [
    (
        lambda params, ids: float(_step_losses(params, ids, targets_shift=0).mean()),
        "the targets are the inputs themselves: the input at step t (ids[t]) must predict "
        "the NEXT character, ids[t + 1].",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids).sum()),
        "you summed the cross-entropies: average them over every step AND every window.",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids).sum(axis=0).mean()),
        "you averaged over the windows but summed over the steps: divide by T as well.",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids).mean() / np.log(2)),
        "that is log base 2 (bits): the training loss uses the natural log.",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids)[-1].mean()),
        "only the last step's loss is counted: the language-model loss takes every step.",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids).sum(axis=1).mean()),
        "you averaged over the steps but summed over the windows: divide by B as well.",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids, transpose_wh=True).mean()),
        "W_h is applied transposed: the recurrent term is W_h h_{t-1}, i.e. h @ Wh.T for "
        "states stored as rows (B, H).",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids, inputs_shift=1).mean()),
        "you fed the targets ids[1:] as inputs: teacher forcing feeds the PREVIOUS true "
        "characters ids[:-1], and the input at step t predicts ids[t + 1].",
    ),
    (
        lambda params, ids: float(_step_losses(params, ids, carry=False).mean()),
        "the hidden state is reset at every step: carry h through the window.",
    ),
]


def check_teacher_forced_loss(student: Callable) -> Callable:
    """Exercise 3: ``teacher_forced_loss(params, ids) -> float`` (mean cross-entropy)."""
    rng = np.random.default_rng(11)
    cases: list[Case] = [
        ((_model(7, 2.0, 4), generative.windows(5, 9, rng=rng)), {}),
        ((_model(4, 3.0, 5), rng.integers(0, generative.V, size=(13, 2))), {}),
        ((_model(6, 1.0, 6), generative.windows(3, 4, rng=rng)), {}),
    ]
    return check(
        "Exercise 3 (teacher-forced loss)",
        student,
        reference_teacher_forced_loss,
        cases,
        mistakes=LOSS_MISTAKES,
    )
