"""The recurrent cells write into buffers they allocate themselves, and backward builds its
factors in place (benchmarks/RESULTS.md says why): no call may share memory with another,
backward must leave its cache intact, and float32 must follow float64.

One test for the three cells: ``helpers.rnn``, ``helpers.lstm`` and ``helpers.gru``
(``backward`` returns ``(grads, d_state)``, ``d_state`` being ``dh0``, or ``(dh0, dc0)``
for the LSTM, then ``dxs`` with ``return_dxs=True``).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from helpers import gradcheck, gru, lstm, rnn

#: cell module -> the Cache fields that hold arrays
CACHE_FIELDS: dict[ModuleType, tuple[str, ...]] = {
    rnn: ("xs", "hs", "h0"),
    lstm: ("hs", "cs", "gates", "tanh_c", "h0", "c0"),
    gru: ("hs", "gates", "hn", "h0"),
}
CELLS = list(CACHE_FIELDS)


def _case(cell: ModuleType, T: int, B: int, D: int, H: int, seed: int):
    """Parameters (doubled, so every gate matters), inputs, a start state, ∂L/∂h_t."""
    rng = np.random.default_rng(seed)
    params = {k: 2.0 * v for k, v in cell.init(D, H, rng=rng).items()}
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(scale=0.7, size=(B, H))
    state = (h0, rng.normal(scale=0.7, size=(B, H))) if cell is lstm else h0
    return params, xs, state, rng.normal(size=(T, B, H))


def _arrays(d_state) -> list[np.ndarray]:
    return list(d_state) if isinstance(d_state, tuple) else [d_state]


@pytest.mark.parametrize("truncate", [None, 0, 2])
@pytest.mark.parametrize("cell", CELLS, ids=lambda m: m.__name__.split(".")[-1])
def test_calls_share_no_buffers_and_backward_leaves_the_cache_intact(cell, truncate):
    """A second call with other inputs must not change the first call's results or cache,
    backward twice on one cache must give the same answer, and the second problem must
    give what a call of its own gives."""
    fields = CACHE_FIELDS[cell]
    p1, xs1, s1, w1 = _case(cell, 6, 3, 2, 4, seed=20)
    p2, xs2, s2, w2 = _case(cell, 6, 3, 2, 4, seed=21)
    hs1, c1 = cell.forward(p1, xs1, s1)
    saved = {f: getattr(c1, f).copy() for f in fields}
    hs1_copy = hs1.copy()
    g1, d1, dx1 = cell.backward(w1, c1, truncate=truncate, return_dxs=True)
    hs2, c2 = cell.forward(p2, xs2, s2)
    g2, d2 = cell.backward(w2, c2, truncate=truncate)
    again, d1b, dx1b = cell.backward(w1, c1, truncate=truncate, return_dxs=True)
    for f in fields:
        assert np.array_equal(getattr(c1, f), saved[f]), f
        assert not np.shares_memory(getattr(c1, f), getattr(c2, f)), f
    assert np.array_equal(hs1, hs1_copy)
    for k in g1:
        assert np.array_equal(g1[k], again[k]), k
        assert not np.shares_memory(g1[k], g2[k]), k
    assert all(np.array_equal(a, b) for a, b in zip(_arrays(d1), _arrays(d1b), strict=True))
    assert np.array_equal(dx1, dx1b)
    assert not any(np.shares_memory(a, b) for a, b in zip(_arrays(d1), _arrays(d2), strict=True))
    fresh_hs, fresh = cell.forward(p2, xs2, s2)
    fresh_g, fresh_d = cell.backward(w2, fresh, truncate=truncate)
    assert np.array_equal(hs2, fresh_hs)
    assert all(np.array_equal(g2[k], fresh_g[k]) for k in g2)
    assert all(np.array_equal(a, b) for a, b in zip(_arrays(d2), _arrays(fresh_d), strict=True))


@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize("cell", CELLS, ids=lambda m: m.__name__.split(".")[-1])
def test_float32_follows_float64(cell, truncate):
    """The float32 path (same code, float32 buffers) agrees with float64 to float32 accuracy."""
    params, xs, state, weight = _case(cell, 12, 4, 3, 5, seed=22)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    hs64, c64 = cell.forward(params, xs, state)
    hs32, c32 = cell.forward(p32, xs.astype(np.float32), state)
    g64, d64 = cell.backward(weight, c64, truncate=truncate)
    g32, d32 = cell.backward(weight, c32, truncate=truncate)
    assert hs32.dtype == np.float32
    assert all(v.dtype == np.float32 for v in [*g32.values(), *_arrays(d32)])
    assert gradcheck.rel_error(hs32, hs64) < 1e-5
    starts = {f"d_state{i}": a for i, a in enumerate(_arrays(d32))}
    starts64 = {f"d_state{i}": a for i, a in enumerate(_arrays(d64))}
    assert gradcheck.rel_error({**g32, **starts}, {**g64, **starts64}) < 1e-4


def test_recycled_blocks_are_never_shared_by_live_arrays():
    """helpers._buffers hands a large block out again only when no view of it is alive."""
    from helpers import _buffers

    n = _buffers.POOL_MIN_BYTES // 8 + 10
    first = _buffers.empty((n,), np.float64)
    view = first[5:9]
    del first
    second = _buffers.empty((n,), np.float64)  # the first block is still held by `view`
    assert not np.shares_memory(second, view)
    base = view.base
    del view, second
    third = _buffers.empty((n,), np.float64)  # now a free block is recycled
    assert third.base is not None and any(third.base is b for b in _buffers._pool)
    del base
    assert len(_buffers._pool) <= _buffers.POOL_MAX_BLOCKS
    assert sum(b.size for b in _buffers._pool) <= _buffers.POOL_MAX_BYTES
    zeros = _buffers.zeros((3, n), np.float32)
    assert zeros.dtype == np.float32 and not zeros.any()
