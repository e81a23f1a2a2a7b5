"""A character-level language model on Python's own source code (min-char-rnn style).

The corpus is text every Python installation has: a few modules of the standard library,
read from disk (nothing downloaded, nothing shipped), concatenated and cut to a fixed
length. ``CORPUS_SHA256`` records the hash of that slice in the Python the course was built
with (3.11); another Python's sources may differ, and ``load_corpus`` then says so in
``Corpus.matches`` (everything still runs, on the other text).

The model is ``helpers.rnn`` (tanh) with a softmax read-out over the characters::

    x_t = onehot(c_t)            (B, V)      h_t = tanh(Wx x_t + Wh h_{t-1} + b)   (B, H)
    logits_t = Wy h_t + by       (B, V)      loss = mean over t, b of −log p(c_{t+1})

Shapes: ``ids`` (T, B) ints in [0, V); parameters ``Wx (H, V)``, ``Wh (H, H)``, ``b (H,)``,
``Wy (V, H)``, ``by (V,)``, or with a leading model axis M for a stack of seeds
(``helpers.stacking``): every array then has the axis M first and the loss is (M,).
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections import Counter
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np

from helpers import rnn, train
from helpers._validate import as_array, as_float, as_int, check_params

#: The standard-library modules whose sources make the corpus, in this order.
CORPUS_MODULES = ("textwrap", "queue", "shlex", "string", "heapq")
#: The corpus is the first CORPUS_CHARS characters of their concatenation.
CORPUS_CHARS = 60_000
#: SHA-256 of that slice (UTF-8) in CPython 3.11.7, where the course was built.
CORPUS_SHA256 = "bcf6737cf0f74caaa9598f123742f01aea7687837429492f8a5106f0de6a1ad8"
#: Characters seen fewer than this many times in the corpus become ``RARE``.
MIN_COUNT = 20
#: The one symbol that stands for every rare character.
RARE = "¤"


@dataclass(frozen=True)
class Corpus:
    """The text, its hash, and whether it is the slice the course was built with."""

    text: str
    sha256: str
    matches: bool
    sources: tuple[str, ...]


def load_corpus(modules: Sequence[str] = CORPUS_MODULES, n_chars: int = CORPUS_CHARS) -> Corpus:
    """Concatenate the sources of ``modules`` (stdlib names) and keep ``n_chars`` characters.

    A module that cannot be found is skipped (and ``matches`` is then False).
    """
    n = as_int("n_chars", n_chars, min_value=1)
    if not isinstance(modules, Sequence) or isinstance(modules, str):
        raise TypeError(f"modules must be a list of module names, got {type(modules).__name__}")
    if not all(isinstance(m, str) for m in modules):
        raise TypeError("modules must be a list of module names (strings)")
    parts, found = [], []
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # "a.b" with no package a, "" or ".x"
            spec = None
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        with open(spec.origin, encoding="utf-8") as f:
            parts.append(f.read())
        found.append(spec.origin)
    text = "".join(parts)[:n]
    if not text:
        raise ValueError(f"none of the modules {list(modules)} has a readable source file")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Corpus(text, digest, digest == CORPUS_SHA256, tuple(found))


@dataclass(frozen=True)
class Vocab:
    """``chars[i]`` is the character of id i; ``RARE`` (last) stands for every rare one."""

    chars: str

    def __post_init__(self) -> None:
        if not isinstance(self.chars, str) or not self.chars:
            raise TypeError(f"chars must be a non-empty string, got {self.chars!r}")
        if len(set(self.chars)) != len(self.chars):
            twice = sorted(c for c, n in Counter(self.chars).items() if n > 1)
            raise ValueError(f"chars must hold each character once; {twice!r} appear twice")

    @property
    def size(self) -> int:
        return len(self.chars)


def build_vocab(text: str, min_count: int = MIN_COUNT) -> Vocab:
    """Characters seen at least ``min_count`` times (sorted), then ``RARE``."""
    if not isinstance(text, str) or not text:
        raise TypeError("text must be a non-empty string")
    k = as_int("min_count", min_count, min_value=1)
    counts = Counter(text)
    common = sorted(c for c, n in counts.items() if n >= k and c != RARE)
    return Vocab("".join(common) + RARE)


def encode(text: str, vocab: Vocab) -> np.ndarray:
    """Ids (len(text),) int64; characters outside the vocabulary map to ``RARE``.

    A vocabulary without ``RARE`` (built by hand) has nothing to map them to: a character
    outside it is then refused.
    """
    return _encode("text", text, vocab)


def _encode(name: str, text: object, vocab: object) -> np.ndarray:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string, got {type(text).__name__}")
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a Vocab (see build_vocab), got {type(vocab).__name__}")
    index = {c: i for i, c in enumerate(vocab.chars)}
    rare = index.get(RARE)
    if rare is None:
        outside = sorted(set(text) - set(index))
        if outside:
            raise ValueError(
                f"{name} holds characters outside vocab ({''.join(outside[:10])!r}) and vocab "
                f"has no {RARE!r} to stand for them"
            )
    return np.array([index.get(c, rare) for c in text], dtype=np.int64)


def decode(ids: np.ndarray, vocab: Vocab) -> str:
    """The text of ids (any shape, read in order)."""
    if not isinstance(vocab, Vocab):
        raise TypeError("vocab must be a Vocab (see build_vocab)")
    arr = _ids("ids", ids, vocab.size, of="vocab.size")
    return "".join(vocab.chars[i] for i in arr.ravel())


def _ids(name: str, ids: object, V: int, *, of: str = "") -> np.ndarray:
    """``ids`` as int64, every id in [0, V) (``of`` names where V comes from)."""
    if ids is None or isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be an array of integer ids, got {type(ids).__name__}")
    try:
        arr = np.asarray(ids)
    except ValueError:  # ragged lists
        raise TypeError(f"{name} must be an array of integer ids (a ragged list?)") from None
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integer ids, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= V):
        where = f" ({of} = {V})" if of else ""
        raise ValueError(f"{name} must hold ids in [0, {V}){where}, got {arr.min()}..{arr.max()}")
    return arr.astype(np.int64, copy=False)


def streams(ids: np.ndarray, batch: int) -> np.ndarray:
    """Cut ``ids`` (N,) into ``batch`` contiguous streams, (L, B): column b is one stretch.

    Stream b reads characters ``b·L … (b+1)·L − 1`` in order (L = N // batch), so the state
    carried from one chunk of a stream to its next chunk continues the same text.
    """
    arr = _ids("ids", ids, np.iinfo(np.int64).max)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"ids must have shape (N,) with N >= 2, got {arr.shape}")
    B = as_int("batch", batch, min_value=1, max_value=max(1, arr.size // 2))
    L = arr.size // B
    return arr[: L * B].reshape(B, L).T.copy()


def unigram_entropy(ids: np.ndarray, V: int) -> float:
    """H = −Σ p_c log p_c in nats, p_c the frequency of id c: the loss of the best model
    that ignores context (predicting the frequencies at every step). ``ids`` any shape,
    at least one id."""
    size = as_int("V", V, min_value=1)
    arr = _ids("ids", ids, size, of="V")
    if not arr.size:
        raise ValueError("ids must hold at least one id (the entropy of no text is undefined)")
    counts = np.bincount(arr.ravel(), minlength=size)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def init_stack(
    V: int, H: int, *, seeds: Sequence[int], dtype: type = np.float64
) -> dict[str, np.ndarray]:
    """M models (one per seed): ``Wx (M, H, V)``, ``Wh (M, H, H)``, ``b (M, H)``,
    ``Wy (M, V, H)``, ``by (M, V)`` — ``helpers.train.init_stack`` with the RNN cell,
    then cast to ``dtype`` (float32 halves the cost; float64 for gradient checks)."""
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"dtype must be np.float32 or np.float64, got {dtype!r}")
    V = as_int("V", V, min_value=1)
    H = as_int("H", H, min_value=1)
    params = train.init_stack(rnn, V, H, V, seeds=seeds)
    return {k: v.astype(dtype) for k, v in params.items()}


#: The params a caller checked once and now passes chunk after chunk to ``loss_and_grads``
#: (``held_out_loss``): ``_lead`` does not check them again (validation at entry only).
_CHECKED: ContextVar[object] = ContextVar("_CHECKED", default=None)


def _lead(params: Mapping[str, np.ndarray]) -> tuple[int, ...]:
    """The leading model axes of ``params`` (() for one model, (M,) for a stack), after
    checking every array's shape against ``params['Wx']`` (H, V) and that all are finite."""
    if params is not None and params is _CHECKED.get():
        return np.shape(params["Wx"])[:-2]
    if not isinstance(params, Mapping) or "Wy" not in params or "Wx" not in params:
        raise TypeError("params must be a dict with keys Wx, Wh, b, Wy, by (see init_stack)")
    Wx = as_array("params['Wx']", params["Wx"])
    if Wx.ndim not in (2, 3) or 0 in Wx.shape:
        raise ValueError(
            f"params['Wx'] must have shape (H, V), or (M, H, V) for a stack, got {Wx.shape}"
        )
    *lead, H, V = Wx.shape
    shapes = {"Wx": (*lead, H, V), "Wh": (*lead, H, H), "b": (*lead, H)}
    check_params("params", params, {**shapes, "Wy": (*lead, V, H), "by": (*lead, V)})
    return tuple(lead)


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _state(name: str, h: object, lead: tuple[int, ...], B: int, H: int, of: str) -> object:
    """``h`` (None, or shape (*lead, B, H), finite), checked against ``of``'s batch B."""
    if h is None:
        return None
    arr = as_array(name, h)
    if arr.shape != (*lead, B, H):
        want = ", ".join(map(str, (*lead, B, H)))
        raise ValueError(f"{name} must have shape ({want}) (B = {B} from {of}), got {arr.shape}")
    return arr


def loss_and_grads(
    params: Mapping[str, np.ndarray],
    ids: np.ndarray,
    targets: np.ndarray,
    h0: np.ndarray | None = None,
    *,
    grads: bool = True,
) -> tuple[np.ndarray | float, dict[str, np.ndarray], np.ndarray]:
    """One chunk: mean cross-entropy (nats/char), its gradient, and the last state.

    ``ids``, ``targets`` (T, B): the input characters and the characters to predict.
    ``h0`` (B, H), or (M, B, H) for a stack: the state carried in from the previous chunk
    (None: zeros). Returns ``(loss, grads, h_last)``: loss a float (one model) or (M,),
    grads keyed like ``params``, ``h_last`` = h_T, the state to carry into the next chunk.
    The gradient does not flow into ``h0`` (``rnn.backward``'s ∂L/∂h0 is dropped): that is
    truncated BPTT with the state carried, PyTorch's ``h = h.detach()``.
    ``grads=False``: forward only (evaluation); the returned grads dict is empty.
    """
    lead = _lead(params)
    V = int(np.shape(params["Wy"])[-2])
    x = _ids("ids", ids, V)
    y = _ids("targets", targets, V)
    if x.ndim != 2 or y.shape != x.shape:
        raise ValueError(f"ids and targets must both have shape (T, B), got {x.shape}, {y.shape}")
    T, B = x.shape
    xs = np.zeros((T, B, V), dtype=np.asarray(params["Wx"]).dtype)
    xs[np.arange(T)[:, None], np.arange(B), x] = 1.0
    cell = {k: params[k] for k in rnn.PARAM_NAMES}
    hs, cache = rnn.forward(cell, xs, h0)
    Wy = as_array("params['Wy']", params["Wy"])
    by = as_array("params['by']", params["by"])
    flat_h = hs.reshape(*lead, T * B, -1)
    # logits (…, T·B, V): one matrix product per model
    z = flat_h @ Wy.mT + by[..., None, :]
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)  # z now holds the probabilities p
    rows = np.arange(T * B)
    target = y.reshape(T * B)
    loss = -np.log(z[..., rows, target]).mean(axis=-1)
    h_last = hs[..., -1, :, :].copy()
    if not _flag("grads", grads):
        return (loss if lead else float(loss)), {}, h_last
    z[..., rows, target] -= 1.0  # ∂(sum of losses)/∂logits = p − onehot(target)
    z /= T * B  # the loss is the mean
    dhs = (z @ Wy).reshape(hs.shape)
    g, _dh0 = rnn.backward(dhs, cache)  # _dh0 dropped: no gradient into the past chunk
    g["Wy"] = z.mT @ flat_h
    g["by"] = z.sum(axis=-2)
    return (loss if lead else float(loss)), g, h_last


def held_out_loss(
    params: Mapping[str, np.ndarray], ids: np.ndarray, k: int, *, carry: bool = True
) -> np.ndarray:
    """Mean loss (nats per predicted character) of every model of a stack on ``ids`` (N, B),
    read in chunks of ``k`` inputs with the state carried (``carry=False``: every chunk
    starts from h = 0): (M,) (a float for one model)."""
    _flag("carry", carry)
    _lead(params)
    arr = _ids("ids", ids, int(np.shape(params["Wy"])[-2]), of="the rows of params['Wy']")
    if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 1:
        raise ValueError(f"ids must have shape (N, B) with N >= 2 and B >= 1, got {arr.shape}")
    step = as_int("k", k, min_value=1)
    N = arr.shape[0]
    total, h = 0.0, None
    checked = _CHECKED.set(params)  # checked above: not again at every chunk
    try:
        for s in range(0, N - 1, step):
            e = min(s + step, N - 1)
            h0 = h if carry else None
            loss, _, h = loss_and_grads(params, arr[s:e], arr[s + 1 : e + 1], h0, grads=False)
            total = total + loss * (e - s)
    finally:
        _CHECKED.reset(checked)
    return total / (N - 1)


def log_probs(
    params: Mapping[str, np.ndarray], ids: np.ndarray, h0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One model reads ``ids`` (T, B) from state ``h0`` (B, H) (None: zeros).

    Returns ``(logp, h_last)``: ``logp`` (T, B, V), log p(next character | characters so
    far) after each input, and ``h_last`` (B, H), the state after the last input.
    """
    if _lead(params):
        raise ValueError("log_probs takes one model: use helpers.stacking.unstack(params, m)")
    V, H = np.shape(params["Wy"])
    x = _ids("ids", ids, V, of="the rows of params['Wy']")
    if x.ndim != 2 or 0 in x.shape:
        raise ValueError(f"ids must have shape (T, B) with T, B >= 1, got {x.shape}")
    T, B = x.shape
    h0 = _state("h0", h0, (), B, H, of="ids")
    xs = np.zeros((T, B, V))
    xs[np.arange(T)[:, None], np.arange(B), x] = 1.0
    hs, _ = rnn.forward({k: params[k] for k in rnn.PARAM_NAMES}, xs, h0)
    z = hs @ as_array("params['Wy']", params["Wy"]).T + as_array("params['by']", params["by"])
    z -= z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True)), hs[-1].copy()


def next_probs(
    params: Mapping[str, np.ndarray], h: np.ndarray, c: np.ndarray, temperature: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """One step of one model: state ``h`` (B, H) and characters ``c`` (B,) → (probs (B, V),
    new h). probs = softmax(logits / temperature), computed with the max subtracted."""
    tau = as_float("temperature", temperature, positive=True)
    if _lead(params):
        raise ValueError("next_probs takes one model: use helpers.stacking.unstack(params, m)")
    V, H = np.shape(params["Wy"])
    ids = _ids("c", c, V, of="the rows of params['Wy']")
    if ids.ndim != 1 or not ids.size:
        raise ValueError(f"c must have shape (B,) with B >= 1, got {ids.shape}")
    h = _state("h", h, (), ids.size, H, of="c")
    if h is None:
        raise TypeError("h must be an array of shape (B, H), got None")
    return _next_probs(_arrays(params), h, ids, tau)


def _arrays(params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(params[k]) for k in ("Wx", "Wh", "b", "Wy", "by"))


def _scaled(logits: np.ndarray, tau: float) -> np.ndarray:
    """logits / tau with the row maximum subtracted (so the largest is 0). At a tiny
    temperature logits / tau overflows: the maximum is then subtracted first, giving the
    limit (0 for the largest logit, −inf for the others: greedy choice)."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = logits / tau
        z -= z.max(axis=-1, keepdims=True)
    if not np.all(np.isfinite(z)):
        with np.errstate(over="ignore"):
            z = (logits - logits.max(axis=-1, keepdims=True)) / tau
    return z


def _next_probs(
    P: tuple[np.ndarray, ...], h: np.ndarray, ids: np.ndarray, tau: float
) -> tuple[np.ndarray, np.ndarray]:
    """``next_probs`` without the checks (for loops whose arguments were checked once)."""
    Wx, Wh, b, Wy, by = P
    x = np.zeros((ids.size, Wy.shape[0]))
    x[np.arange(ids.size), ids] = 1.0
    h_new = np.tanh(x @ Wx.T + h @ Wh.T + b)
    z = _scaled(h_new @ Wy.T + by, tau)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True), h_new


def _same_size(vocab: object, params: Mapping[str, np.ndarray]) -> None:
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a Vocab (see build_vocab), got {type(vocab).__name__}")
    V = np.shape(params["Wy"])[-2]
    if vocab.size != V:
        raise ValueError(f"vocab has {vocab.size} characters but params['Wy'] predicts {V}")


def sample(
    params: Mapping[str, np.ndarray],
    vocab: Vocab,
    prompt: str,
    n: int,
    *,
    temperature: float = 1.0,
    rng: np.random.Generator,
) -> str:
    """``n`` characters drawn from one model after reading ``prompt`` (seeded by ``rng``).

    Each character is drawn by inverse CDF from ``next_probs`` at ``temperature``.
    """
    count = as_int("n", n, min_value=0, max_value=100_000)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("prompt must be a non-empty string")
    if _lead(params):
        raise ValueError("sample takes one model: use helpers.stacking.unstack(params, m)")
    _same_size(vocab, params)
    tau = as_float("temperature", temperature, positive=True)
    P = _arrays(params)
    H = int(np.shape(params["Wh"])[-1])
    h = np.zeros((1, H))
    out = []
    ids = _encode("prompt", prompt, vocab)
    for c in ids[:-1]:
        _, h = _next_probs(P, h, np.array([c]), tau)
    c = ids[-1:]
    for _ in range(count):
        p, h = _next_probs(P, h, c, tau)
        nxt = int(np.searchsorted(np.cumsum(p[0]), rng.random() * p[0].sum()))
        c = np.array([min(nxt, vocab.size - 1)])
        out.append(vocab.chars[c[0]])
    return "".join(out)


def sample_stack(
    params: Mapping[str, np.ndarray],
    vocab: Vocab,
    prompt: str,
    n: int,
    *,
    streams: int = 1,
    temperature: float = 1.0,
    rng: np.random.Generator,
) -> list[list[str]]:
    """``n`` characters from every model of a stack, ``streams`` independent samples each,
    all drawn together (one matrix product per step for the whole stack).

    Returns ``texts[m][b]``, the b-th sample of model m. Each character is drawn by inverse
    CDF (the first id whose cumulative probability exceeds a uniform number from ``rng``),
    as ``sample`` does; the draws differ from ``sample``'s, which takes one model at a time.
    """
    count = as_int("n", n, min_value=0, max_value=100_000)
    B = as_int("streams", streams, min_value=1, max_value=1_000)
    tau = as_float("temperature", temperature, positive=True)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("prompt must be a non-empty string")
    if not isinstance(vocab, Vocab):
        raise TypeError(f"vocab must be a Vocab (see build_vocab), got {type(vocab).__name__}")
    lead = _lead(params)
    if len(lead) != 1:
        raise ValueError("sample_stack takes a stack (leading model axis): see init_stack")
    _same_size(vocab, params)
    P = {k: np.asarray(params[k], dtype=np.float64) for k in ("Wx", "Wh", "b", "Wy", "by")}
    M, V, H = lead[0], vocab.size, P["Wh"].shape[-1]
    h = np.zeros((M, B, H))
    out = np.zeros((count, M, B), dtype=np.int64)
    c = np.zeros((M, B), dtype=np.int64)
    WxT = P["Wx"].transpose(0, 2, 1)  # (M, V, H): row c is the input weight of character c
    models = np.arange(M)[:, None]
    for step, first in enumerate(_encode("prompt", prompt, vocab).tolist() + [None] * count):
        if first is not None:
            c[:] = first
        h = np.tanh(WxT[models, c] + h @ P["Wh"].mT + P["b"][:, None, :])
        if step < len(prompt) - 1:
            continue
        if step - len(prompt) + 1 >= count:
            break
        z = _scaled(h @ P["Wy"].mT + P["by"][:, None, :], tau)
        cdf = np.cumsum(np.exp(z), axis=-1)
        u = rng.random((M, B, 1)) * cdf[..., -1:]
        c = np.minimum((cdf <= u).sum(axis=-1), V - 1)
        out[step - len(prompt) + 1] = c
    chars = np.array(list(vocab.chars))
    return [["".join(chars[out[:, m, b]]) for b in range(B)] for m in range(M)]
