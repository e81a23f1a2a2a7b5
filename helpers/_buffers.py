"""Preallocated working memory for the recurrent cells' forward and backward passes.

On these machines a fresh multi-megabyte array costs about a millisecond of page faults
each time glibc hands the memory back between calls, more than the arithmetic done in it
(see benchmarks/RESULTS.md): so the cells take what they store from one allocation.
"""

from __future__ import annotations

import numpy as np


def carve(dtype: np.dtype, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Uninitialised C-contiguous arrays of these shapes, all views of one allocation.

    ``carve(np.float64, (T, B, 4 * H), (T, B, H))`` gives a (T, B, 4H) and a (T, B, H)
    array that share one buffer without overlapping.
    """
    sizes = [int(np.prod(shape)) for shape in shapes]
    block = np.empty(sum(sizes), dtype=dtype)
    views, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        views.append(block[start : start + size].reshape(shape))
        start += size
    return views
