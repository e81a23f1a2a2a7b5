"""A small generative task for teacher forcing, free running and scheduled sampling.

The data is a short sentence repeated forever (``TEXT``), read one character at a time:
deterministic, but several characters are ambiguous on their own (``t`` begins "the" and
ends "cat", "sat", "mat"), so the model must carry context in its hidden state. A
character-level RNN (``helpers.rnn`` + a softmax read-out, ``helpers.train``'s
``"xent_all"`` loss) learns to predict the next character.

Shapes (time-major)::

    ids     (T + 1, B)  int character ids of B windows of the text
    xs      (T, B, V)   one-hot inputs (V = vocabulary size)
    ys      (T, B)      int targets, ids[1:]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers import rnn, stacking, train
from helpers._validate import (
    as_array,
    as_float,
    as_int,
    as_real_values,
    check_params,
    check_product,
)
from helpers.optim import Optimizer

TEXT = "the cat sat on the mat. "
#: The vocabulary: the distinct characters of TEXT, sorted.
VOCAB = "".join(sorted(set(TEXT)))
V = len(VOCAB)
_INDEX = {ch: i for i, ch in enumerate(VOCAB)}


def _model(name: str, params: object, *, stack: bool) -> dict[str, np.ndarray]:
    """``params`` checked as one character model (or a stack of M): the keys of
    ``init_model`` with matching shapes, finite float values; refused by ``name``."""
    maker = "init_stack" if stack else "init_model"
    if not isinstance(params, Mapping):
        raise TypeError(
            f"{name} must be a dict of arrays made by {maker}, got {type(params).__name__}"
        )
    if "Wh" not in params:
        raise ValueError(f"{name} is missing key 'Wh'; expected keys Wx, Wh, b, Wy, by ({maker})")
    Wh = as_array(f"{name}['Wh']", params["Wh"], ndim=3 if stack else 2)
    if Wh.shape[-1] != Wh.shape[-2] or Wh.shape[-1] == 0:
        raise ValueError(f"{name}['Wh'] must be square (H, H), got {Wh.shape}")
    lead, H = Wh.shape[:-2], Wh.shape[-1]
    expected = {
        "Wx": (*lead, H, V),
        "Wh": (*lead, H, H),
        "b": (*lead, H),
        "Wy": (*lead, V, H),
        "by": (*lead, V),
    }
    return check_params(name, params, expected)


def _ids(name: str, ids: object, *, shape: str, ndim: int) -> np.ndarray:
    """``ids`` checked as integer character ids in [0, V) with ``ndim`` axes, none empty."""
    if ids is None or isinstance(ids, (str, bytes)):
        hint = " (encode(text) turns text into ids)" if isinstance(ids, str) else ""
        raise TypeError(
            f"{name} must be integer character ids {shape}{hint}, got {type(ids).__name__}"
        )
    try:
        arr = np.asarray(ids)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be integer character ids {shape} ({exc})") from None
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be integer character ids {shape}, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if arr.min() < 0 or arr.max() >= V:
        raise ValueError(f"{name} must lie in [0, {V}), got range [{arr.min()}, {arr.max()}]")
    return arr


def encode(text: str) -> np.ndarray:
    """Character ids of ``text`` (every character must be in ``VOCAB``): int array (len,)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    bad = sorted(set(text) - set(VOCAB))
    if bad:
        raise ValueError(f"text has characters outside the vocabulary {VOCAB!r}: {bad}")
    return np.array([_INDEX[ch] for ch in text], dtype=np.int64)


def decode(ids: np.ndarray) -> str:
    """The string of a 1-d array of character ids."""
    arr = np.asarray(ids)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"ids must be a 1-d integer array, got shape {arr.shape} {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):
        raise ValueError(f"ids must lie in [0, {V}), got range [{arr.min()}, {arr.max()}]")
    return "".join(VOCAB[i] for i in arr)


def windows(n: int, length: int, *, rng: np.random.Generator) -> np.ndarray:
    """``n`` windows of ``length`` consecutive characters of the endless text, each at a
    random offset: int ids of shape (length, n)."""
    count = as_int("n", n, min_value=1)
    T = as_int("length", length, min_value=2)
    check_product("n × length", count, T)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    base = encode(TEXT)
    starts = rng.integers(0, len(base), size=count)
    return base[(starts[None, :] + np.arange(T)[:, None]) % len(base)]


def one_hot(ids: np.ndarray) -> np.ndarray:
    """One-hot vectors of integer ids: shape (*ids.shape, V), float64."""
    arr = np.asarray(ids)
    if not np.issubdtype(arr.dtype, np.integer) or (arr.size and (arr.min() < 0 or arr.max() >= V)):
        raise ValueError(f"ids must be integers in [0, {V})")
    return np.eye(V)[arr]


def init_model(hidden_size: int, *, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A character-level RNN: ``helpers.rnn`` params (D = V) plus read-out ``Wy`` (V, H), ``by``."""
    H = as_int("hidden_size", hidden_size, min_value=1)
    check_product("hidden_size²", H, H)
    params = rnn.init(V, H, rng=rng)
    params.update(train.readout_init(H, V, rng=rng))
    return params


def _step(params: Mapping[str, np.ndarray], x: np.ndarray, h: np.ndarray):
    """One step of the tanh RNN and its logits: x (B, V), h (B, H) → (h, logits (B, V))."""
    h = np.tanh(x @ params["Wx"].T + h @ params["Wh"].T + params["b"])
    return h, h @ params["Wy"].T + params["by"]


def scheduled_inputs(
    params: Mapping[str, np.ndarray],
    ids: np.ndarray,
    eps: float,
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The inputs fed in one pass of scheduled sampling (Bengio et al. 2015).

    The first input is always the true ids[0]; at every later step t the input is the
    true ids[t] with probability ``eps``, otherwise a sample from the model's own softmax
    at step t − 1 (computed on the inputs actually fed so far). ``eps = 1`` is teacher
    forcing, ``eps = 0`` is free running. Returns ``(xs, truth)``: one-hot inputs (T, B, V)
    for ``ids`` of shape (T + 1, B), and the bool mask (T, B) of where the truth was fed.
    No gradient flows through the choice or the sample (the paper's approximation).
    """
    params = _model("params", params, stack=False)
    ids = _ids("ids", ids, shape="(T + 1, B)", ndim=2)
    if ids.shape[0] < 2:
        raise ValueError(f"ids must hold at least 2 characters per window, got shape {ids.shape}")
    p = float(as_float("eps", eps, min_value=0.0, max_value=1.0))
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    T, B = ids.shape[0] - 1, ids.shape[1]
    if p == 1.0:  # teacher forcing: no need to run the model
        return one_hot(ids[:-1]), np.ones((T, B), dtype=bool)
    h = np.zeros((B, params["Wh"].shape[0]))
    fed = np.empty((T, B), dtype=np.int64)
    truth = np.ones((T, B), dtype=bool)
    fed[0] = ids[0]
    own = ids[0]  # the model's sample for the next step (set at the end of each step)
    for t in range(T):
        if t > 0:
            truth[t] = rng.random(B) < p
            fed[t] = np.where(truth[t], ids[t], own)
        h, logits = _step(params, one_hot(fed[t]), h)
        if t + 1 < T:
            prob = np.exp(logits - logits.max(axis=1, keepdims=True))
            prob /= prob.sum(axis=1, keepdims=True)
            # one categorical sample per sequence, by inverting the cumulative distribution
            own = np.minimum((prob.cumsum(axis=1) < rng.random((B, 1))).sum(axis=1), V - 1)
    return one_hot(fed), truth


def fit(
    params: Mapping[str, np.ndarray],
    *,
    steps: int,
    optimizer: Optimizer,
    rng: np.random.Generator,
    epsilon: Callable[[int], float] | None = None,
    batch: int = 32,
    length: int = 24,
    clip_norm: float | None = 5.0,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Train the character RNN; ``epsilon(i)`` gives the probability of feeding the truth at
    iteration i (``None``: teacher forcing, ε = 1 always).

    Each iteration: ``batch`` random windows of ``length + 1`` characters; inputs from
    ``scheduled_inputs``; the loss and gradient of ``helpers.train.loss_and_grads`` with
    ``loss="xent_all"`` (cross-entropy on every next character, BPTT); global-norm
    clipping; one optimizer step. Returns the final params and the loss per iteration.
    """
    current = {
        k: np.array(v, dtype=np.float64) for k, v in _model("params", params, stack=False).items()
    }
    n = as_int("steps", steps, min_value=0)
    batch = as_int("batch", batch, min_value=1)
    length = as_int("length", length, min_value=1)
    check_product("batch × length × V (one-hot inputs)", batch, length + 1, V)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a helpers.optim optimizer, got {type(optimizer).__name__}"
        )
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    if epsilon is not None and not callable(epsilon):
        raise TypeError(
            f"epsilon must be a function of the iteration, or None; got {type(epsilon).__name__}"
        )
    if clip_norm is not None:
        clip_norm = as_float("clip_norm", clip_norm, positive=True)
    losses = np.empty(n)
    for i in range(n):
        ids = windows(batch, length + 1, rng=rng)
        eps = 1.0 if epsilon is None else float(epsilon(i))
        xs, _ = scheduled_inputs(optimizer.lookahead(current), ids, eps, rng=rng)
        losses[i], grads = train.loss_and_grads(
            rnn, optimizer.lookahead(current), xs, ids[1:], loss="xent_all"
        )
        if clip_norm is not None:
            grads, _ = train.clip_mod.clip_by_global_norm(grads, clip_norm)
        current = optimizer.step(current, grads)
    return current, losses


def generate(params: Mapping[str, np.ndarray], prompt: np.ndarray, n: int) -> np.ndarray:
    """Free running: read ``prompt`` (P, B) ids, then feed back the model's most likely next
    character ``n`` times. Returns the generated ids (n, B)."""
    params = _model("params", params, stack=False)
    prompt = np.asarray(prompt) if isinstance(prompt, (list, tuple, np.ndarray)) else prompt
    if isinstance(prompt, np.ndarray) and prompt.ndim == 1:
        prompt = prompt[:, None]
    prompt = _ids("prompt", prompt, shape="(P, B)", ndim=2)
    count = as_int("n", n, min_value=1)
    h = np.zeros((prompt.shape[1], params["Wh"].shape[0]))
    for t in range(prompt.shape[0]):
        h, logits = _step(params, one_hot(prompt[t]), h)
    out = np.empty((count, prompt.shape[1]), dtype=np.int64)
    for t in range(count):
        out[t] = logits.argmax(axis=1)
        if t + 1 < count:
            h, logits = _step(params, one_hot(out[t]), h)
    return out


def teacher_forced_predictions(params: Mapping[str, np.ndarray], ids: np.ndarray) -> np.ndarray:
    """The model's most likely next character at every step when fed the true text:
    (T, B) for ``ids`` (T + 1, B)."""
    stack = isinstance(params, Mapping) and np.ndim(params.get("Wh")) == 3
    params = _model("params", params, stack=stack)
    ids = _ids("ids", ids, shape="(T + 1, B)", ndim=2)
    if ids.shape[0] < 2:
        raise ValueError(f"ids must hold at least 2 characters per window, got shape {ids.shape}")
    logits = train.predict(rnn, params, one_hot(ids[:-1]))
    return logits.argmax(axis=-1)


# --- Many seeds at once -------------------------------------------------------------------
# A stack (``helpers.stacking``) holds M character models on a leading axis. The functions
# below run them together: every array gets the model axis first, e.g. ids (M, T + 1, B).


def init_stack(hidden_size: int, *, seeds: list[int]) -> dict[str, np.ndarray]:
    """M character models, model m exactly ``init_model(hidden_size, rng=default_rng(seeds[m]))``:
    arrays with a leading model axis, e.g. ``Wx`` (M, H, V)."""
    H = as_int("hidden_size", hidden_size, min_value=1)
    check_product("hidden_size²", H, H)
    return stacking.stack([init_model(H, rng=rng) for rng in stacking.rngs(seeds)])


def _stack_size(params: Mapping[str, np.ndarray]) -> int:
    if not isinstance(params, Mapping) or np.ndim(params.get("Wh")) != 3:
        raise ValueError("params must be a stack of models (see init_stack): Wh of shape (M, H, H)")
    _model("params", params, stack=True)
    return int(np.shape(params["Wh"])[0])


def _stack_step(params: Mapping[str, np.ndarray], x: np.ndarray, h: np.ndarray):
    """One step of M models: x (M, B, V) or (B, V), h (M, B, H) → (h, logits (M, B, V))."""
    h = np.tanh(x @ params["Wx"].mT + h @ params["Wh"].mT + params["b"][:, None, :])
    return h, h @ params["Wy"].mT + params["by"][:, None, :]


def _per_model(name: str, value: float | np.ndarray, M: int) -> np.ndarray:
    """A probability for every model: one float for all, or an array (M,), in [0, 1]."""
    arr = as_real_values(name, value)
    if arr.ndim == 0:
        arr = np.broadcast_to(arr, (M,))
    if arr.shape != (M,) or not np.all((arr >= 0) & (arr <= 1)):
        raise ValueError(
            f"{name} must be a probability in [0, 1] or an array (M,) = ({M},) of them"
        )
    return arr


def scheduled_inputs_stack(
    params: Mapping[str, np.ndarray],
    ids: np.ndarray,
    eps: float | np.ndarray,
    *,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """``scheduled_inputs`` for a stack of M models, each feeding itself its *own* samples.

    ``ids`` (M, T + 1, B): each model's windows; ``eps``: the probability of feeding the
    truth, one for all or one per model (M,). Returns one-hot inputs (M, T, B, V) and the
    mask (M, T, B) of where the truth was fed. The random numbers come from one generator
    with a model axis, so model m is an independent run, not the draw a separate run of
    ``scheduled_inputs`` with the same generator would make.
    """
    M = _stack_size(params)
    ids = _ids("ids", ids, shape=f"(M, T + 1, B) with M = {M}", ndim=3)
    if ids.shape[0] != M or ids.shape[1] < 2:
        raise ValueError(
            f"ids must have shape (M, T + 1, B) with M = {M} and T >= 1, got {ids.shape}"
        )
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(0)")
    p = _per_model("eps", eps, M)
    T, B = ids.shape[1] - 1, ids.shape[2]
    fed = np.empty((M, T, B), dtype=np.int64)
    truth = np.ones((M, T, B), dtype=bool)
    fed[:, 0] = ids[:, 0]
    if np.all(p == 1.0):  # teacher forcing everywhere: no need to run the models
        fed[:, 1:] = ids[:, 1:-1]
        return one_hot(fed), truth
    h = np.zeros((M, B, params["Wh"].shape[-1]))
    own = ids[:, 0]
    for t in range(T):
        if t > 0:
            truth[:, t] = rng.random((M, B)) < p[:, None]
            fed[:, t] = np.where(truth[:, t], ids[:, t], own)
        h, logits = _stack_step(params, one_hot(fed[:, t]), h)
        if t + 1 < T:
            prob = np.exp(logits - logits.max(axis=-1, keepdims=True))
            prob /= prob.sum(axis=-1, keepdims=True)
            own = np.minimum((prob.cumsum(axis=-1) < rng.random((M, B, 1))).sum(axis=-1), V - 1)
    return one_hot(fed), truth


def fit_stack(
    params: Mapping[str, np.ndarray],
    *,
    steps: int,
    optimizer: Optimizer,
    rng: np.random.Generator,
    epsilon: Callable[[int], float | np.ndarray] | None = None,
    batch: int = 32,
    length: int = 24,
    clip_norm: float | None = 5.0,
    sample_rng: np.random.Generator | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``fit`` for a stack of M models trained together: each model gets its own windows,
    its own samples, its own loss, gradient norm and clipping. ``epsilon(i)`` may return one
    probability for all or an array (M,), so teacher forcing, free running and a schedule
    train in one stack. ``rng`` draws the windows; ``sample_rng``, if given, draws the coin
    flips and the samples (otherwise ``rng`` does), so that runs with different schedules
    and the same ``rng`` seed see the same windows. Returns the final stack and the losses
    (steps, M).
    """
    M = _stack_size(params)
    n = as_int("steps", steps, min_value=0)
    Bn = as_int("batch", batch, min_value=1)
    T = as_int("length", length, min_value=1)
    check_product("M × batch × length × V (one-hot inputs)", M, Bn, T + 1, V)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a helpers.optim optimizer, got {type(optimizer).__name__}"
        )
    if epsilon is not None and not callable(epsilon):
        raise TypeError(
            f"epsilon must be a function of the iteration, or None; got {type(epsilon).__name__}"
        )
    if clip_norm is not None:
        clip_norm = as_float("clip_norm", clip_norm, positive=True)
    current = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses = np.empty((n, M))
    for i in range(n):
        ids = windows(M * Bn, T + 1, rng=rng).reshape(T + 1, M, Bn).transpose(1, 0, 2)
        eps = 1.0 if epsilon is None else epsilon(i)
        at = optimizer.lookahead(current)
        xs, _ = scheduled_inputs_stack(at, ids, eps, rng=rng if sample_rng is None else sample_rng)
        losses[i], grads = train.loss_and_grads(rnn, at, xs, ids[:, 1:], loss="xent_all")
        if clip_norm is not None:
            with np.errstate(over="ignore"):  # clip_norm / ‖g‖ → inf means no clipping
                grads, _ = train.clip_mod.clip_stack_by_global_norm(grads, clip_norm)
        current = optimizer.step(current, grads)
    return current, losses


def generate_stack(params: Mapping[str, np.ndarray], prompt: np.ndarray, n: int) -> np.ndarray:
    """``generate`` for a stack: every model reads the same ``prompt`` (P, B), then feeds back
    its own most likely next character ``n`` times. Returns ids (M, n, B)."""
    M = _stack_size(params)
    prompt = _ids("prompt", prompt, shape="(P, B)", ndim=2)
    count = as_int("n", n, min_value=1)
    h = np.zeros((M, prompt.shape[1], params["Wh"].shape[-1]))
    for t in range(prompt.shape[0]):
        h, logits = _stack_step(params, one_hot(prompt[t]), h)
    out = np.empty((M, count, prompt.shape[1]), dtype=np.int64)
    for t in range(count):
        out[:, t] = logits.argmax(axis=-1)
        if t + 1 < count:
            h, logits = _stack_step(params, one_hot(out[:, t]), h)
    return out
