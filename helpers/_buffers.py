"""Preallocated working memory for the recurrent cells' forward and backward passes.

On these machines a fresh multi-megabyte array costs about a millisecond of page faults
each time glibc hands the memory back between calls, more than the arithmetic done in it
(see benchmarks/RESULTS.md): so the cells take what they store from one allocation, and
large allocations are recycled.

**Recycling.** A block of at least ``POOL_MIN_BYTES`` is kept in a small pool after use.
``carve`` hands a pooled block out again only when nothing refers to it any more: every
array carved from a block is a view whose ``base`` is that block, so the block's reference
count tells whether any of them (or any view of them) is still alive. A caller that keeps
a cache, a state or a view of one keeps its block out of the pool; memory is never shared
between live arrays. The pool holds at most ``POOL_MAX_BLOCKS`` blocks and
``POOL_MAX_BYTES`` bytes of them.
"""

from __future__ import annotations

import sys

import numpy as np

#: Blocks smaller than this come straight from NumPy (malloc serves them without faults).
POOL_MIN_BYTES = 64 * 1024
#: At most this many blocks are kept for reuse …
POOL_MAX_BLOCKS = 16
#: … and at most this many bytes in all.
POOL_MAX_BYTES = 64 * 2**20

_pool: list[np.ndarray] = []  # 1-d uint8 blocks, most recently used last


def _block(nbytes: int) -> np.ndarray:
    """A uint8 block of at least ``nbytes``: a free pooled one if one fits, else a new one."""
    if nbytes < POOL_MIN_BYTES:
        return np.empty(nbytes, dtype=np.uint8)
    for i in range(len(_pool)):
        # Free when the only references are the pool's slot and getrefcount's argument.
        if nbytes <= _pool[i].size <= 2 * nbytes and sys.getrefcount(_pool[i]) <= 2:
            block = _pool.pop(i)
            _pool.append(block)
            return block
    block = np.empty(nbytes, dtype=np.uint8)
    _pool.append(block)
    while len(_pool) > POOL_MAX_BLOCKS or sum(b.size for b in _pool) > POOL_MAX_BYTES:
        _pool.pop(0)  # the least recently used (if still in use, its users keep it alive)
    return block


def carve(dtype: np.dtype, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Uninitialised C-contiguous arrays of these shapes, all views of one allocation.

    ``carve(np.float64, (T, B, 4 * H), (T, B, H))`` gives a (T, B, 4H) and a (T, B, H)
    array that share one buffer without overlapping (a recycled block when one is free).
    """
    dt = np.dtype(dtype)
    sizes = [int(np.prod(shape)) for shape in shapes]
    block = _block(sum(sizes) * dt.itemsize)
    flat = block[: sum(sizes) * dt.itemsize].view(dt)
    views, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        views.append(flat[start : start + size].reshape(shape))
        start += size
    return views


def empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``np.empty(shape, dtype)`` from ``carve`` (recycled when large)."""
    return carve(dtype, tuple(shape))[0]


def zeros(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``np.zeros(shape, dtype)`` from ``carve`` (recycled when large)."""
    out = empty(shape, dtype)
    out.fill(0)
    return out
