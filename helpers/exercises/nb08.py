"""Exercises of notebook 08: sampling with a temperature, the cloze loss and its gradient,
and finding the hidden units that carry the name.

Each checker carries a catalogue of the mistakes students make (``mistakes=``), each
answered with its own hint; tests/test_checkers_nb08.py writes every one of them as a
buggy solution and asserts that its hint comes back.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.exercises.core import Hint, check

# ---------------------------------------------------------------- Exercise 1: temperature


def reference_softmax_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T) along the last axis, stable for large logits; same shape."""
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _times_temperature(logits, temperature):
    """Mistake: multiplies the logits by T instead of dividing."""
    return reference_softmax_temperature(np.asarray(logits) * temperature**2, temperature)


def _divides_after_exp(logits, temperature):
    """Mistake: exp(z) / T, then normalised: T cancels, the result is softmax(z)."""
    return reference_softmax_temperature(logits, 1.0)


def _normalises_wrong_axis(logits, temperature):
    """Mistake: divides by the sum over the first axis instead of the last."""
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)


def _normalises_everything(logits, temperature):
    """Mistake: divides by the sum of the whole array."""
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max())
    return e / e.sum()


TEMPERATURE_CASES = [
    # (T, B, V) = (3, 2, 5): distinct sizes, moderate logits
    ((np.random.default_rng(80).normal(size=(3, 2, 5)) * 2.0, 0.5), {}),
    ((np.random.default_rng(81).normal(size=(4, 6)), 2.0), {}),
    # every logit large: exp overflows unless the largest is subtracted first
    ((np.array([[1000.0, 999.0, 990.0, 998.0]]), 1.0), {}),
    # rows on very different scales: subtracting ONE global maximum underflows the second row
    ((np.array([[1000.0, 999.0, 990.0], [0.0, -1.0, 2.0]]), 1.0), {}),
]

TEMPERATURE_HINTS = {
    "times": "divide the logits by the temperature (z / T): a low T sharpens the distribution, "
    "a high T flattens it; multiplying does the opposite.",
    "after_exp": "divide the logits by T BEFORE the exponential: exp(z) / T is only rescaled, "
    "and the normalisation cancels T (your result is the plain softmax whatever T is).",
    "axis": "normalise along the LAST axis (the vocabulary): sum(axis=-1, keepdims=True), so "
    "that each row of probabilities sums to 1.",
    "overflow": "exp(1000) overflows to inf (and inf / inf is NaN): subtract each row's largest "
    "logit before exponentiating; softmax does not change when a row moves by a constant.",
    "global_max": "subtract each ROW's own maximum (max(axis=-1, keepdims=True)), not the "
    "maximum of the whole array: a row far below it underflows to 0 / 0.",
}


def check_softmax_temperature(student: Callable) -> Callable:
    """Exercise 1: ``softmax_temperature(logits, temperature) -> probabilities``, softmax of
    ``logits / temperature`` over the last axis, for logits of any shape (…, V)."""
    mistakes = [
        (_times_temperature, TEMPERATURE_HINTS["times"]),
        (_divides_after_exp, TEMPERATURE_HINTS["after_exp"]),
        (_normalises_wrong_axis, TEMPERATURE_HINTS["axis"]),
        (_normalises_everything, TEMPERATURE_HINTS["axis"]),
    ]
    hints = [
        Hint(lambda d: d.kind == "nan" and d.case == 2, TEMPERATURE_HINTS["overflow"]),
        Hint(lambda d: d.kind == "nan" and d.case == 3, TEMPERATURE_HINTS["global_max"]),
    ]
    return check(
        "Exercise 1 (softmax with temperature)",
        student,
        reference_softmax_temperature,
        TEMPERATURE_CASES,
        hints=hints,
        mistakes=mistakes,
        axis_names={"output": ("t", "story", "word")},
    )


# ---------------------------------------------------------------- Exercise 2: cloze loss


def reference_cloze_loss(logits: np.ndarray, targets: np.ndarray) -> dict[str, object]:
    """Cross-entropy over the positions whose target is >= 0, and its gradient.

    ``logits`` (T, B, V) scores, ``targets`` (T, B) word ids, -1 where no loss is attached.
    Returns ``{"loss": loss, "dlogits": dlogits}``: the mean of -log softmax(logits)[target]
    over the N positions with a target, and ∂loss/∂logits (T, B, V) = (softmax − one-hot) / N there,
    0 elsewhere.
    """
    z = np.asarray(logits, dtype=float)
    y = np.asarray(targets)
    z = z - z.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    mask = y >= 0
    n = mask.sum()
    safe = np.where(mask, y, 0)
    picked = np.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    loss = -(picked * mask).sum() / n
    grad = np.exp(logp)
    grad[mask, safe[mask]] -= 1.0
    grad *= mask[..., None] / n
    return {"loss": float(loss), "dlogits": grad}


def _mean_over_all_positions(logits, targets):
    """Mistake: divides by T·B, every position, instead of the N positions with a target."""
    ref = reference_cloze_loss(logits, targets)
    n, size = int(np.sum(np.asarray(targets) >= 0)), np.asarray(targets).size
    return {"loss": ref["loss"] * n / size, "dlogits": ref["dlogits"] * n / size}


def _sums_instead_of_mean(logits, targets):
    """Mistake: the sum over the positions with a target, not their mean."""
    ref = reference_cloze_loss(logits, targets)
    n = int(np.sum(np.asarray(targets) >= 0))
    return {"loss": ref["loss"] * n, "dlogits": ref["dlogits"] * n}


def _uses_minus_one_as_a_word(logits, targets):
    """Mistake: no mask; target -1 indexes the last word of the vocabulary."""
    y = np.asarray(targets)
    return reference_cloze_loss(logits, np.where(y < 0, np.asarray(logits).shape[-1] - 1, y))


def _loss_not_masked(logits, targets):
    """Mistake: the -1 targets replaced by word 0 for indexing, but the loss not masked, so
    every position without a target adds -log p(word 0); divided by N."""
    y = np.asarray(targets)
    ref = reference_cloze_loss(logits, targets)
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    extra = -logp[..., 0][y < 0].sum() / np.sum(y >= 0)
    return {"loss": ref["loss"] + extra, "dlogits": ref["dlogits"]}


def _gradient_not_masked(logits, targets):
    """Mistake: the loss is masked, the gradient is softmax − one-hot everywhere (/ N)."""
    loss = reference_cloze_loss(logits, targets)["loss"]
    y = np.asarray(targets)
    z = np.asarray(logits, dtype=float)
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    mask = y >= 0
    p[mask, y[mask]] -= 1.0
    return {"loss": loss, "dlogits": p / mask.sum()}


def _gradient_without_softmax(logits, targets):
    """Mistake: ∂/∂z of −log p_y taken as −one-hot only (the softmax's own term forgotten)."""
    ref = reference_cloze_loss(logits, targets)
    y = np.asarray(targets)
    mask = y >= 0
    g = np.zeros_like(ref["dlogits"])
    g[mask, y[mask]] = -1.0 / mask.sum()
    return {"loss": ref["loss"], "dlogits": g}


def _gradient_sign_flipped(logits, targets):
    """Mistake: one-hot − softmax (the gradient of log p, not of −log p)."""
    ref = reference_cloze_loss(logits, targets)
    return {"loss": ref["loss"], "dlogits": -ref["dlogits"]}


def _cloze_case(seed: int, T: int, B: int, V: int, every: bool, scale: float = 2.0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(T, B, V)) * scale
    if every:  # the full language-model loss: a target at every position
        targets = rng.integers(0, V, size=(T, B))
    else:  # the cloze loss: one target per story, at its own position
        targets = np.full((T, B), -1)
        targets[rng.integers(T // 2, T, size=B), np.arange(B)] = rng.integers(0, V, size=B)
    return ((logits, targets), {})


CLOZE_CASES = [
    _cloze_case(90, T=6, B=3, V=7, every=False),
    _cloze_case(91, T=5, B=4, V=6, every=True),
    _cloze_case(92, T=4, B=2, V=5, every=False, scale=400.0),  # large logits: stable?
]

CLOZE_HINTS = {
    "all_positions": "average over the N positions that HAVE a target (targets >= 0), not over "
    "all T·B positions: the untrained positions must not dilute the loss.",
    "sum": "the loss is the MEAN over the positions with a target: divide the sum (and the "
    "gradient) by N = (targets >= 0).sum().",
    "minus_one": "a target of -1 means 'no loss here', but targets[...] = -1 as an index picks "
    "the LAST word: mask those positions out (mask = targets >= 0).",
    "unmasked_loss": "positions whose target is -1 must add nothing to the loss: after "
    "replacing -1 by a valid index (to pick), multiply the picked log-probabilities by the "
    "mask, or select them with it.",
    "unmasked_grad": "the gradient must be 0 at the positions without a target: multiply it by "
    "the mask as well (the loss is masked, the gradient is not).",
    "no_softmax": "∂(−log softmax(z)_y)/∂z = softmax(z) − one-hot(y): the softmax term comes "
    "from the normaliser log Σ exp z, which depends on every logit.",
    "sign": "the gradient of −log p_y is softmax − one-hot (it pushes the right word's logit "
    "UP when you step against it); yours has the opposite sign.",
    "overflow": "with logits of size 400, exp overflows: subtract each row's maximum first "
    "(log-softmax = z − max − log Σ exp(z − max)).",
}


def check_cloze_loss(student: Callable) -> Callable:
    """Exercise 2: ``cloze_loss(logits, targets) -> {"loss": float, "dlogits": (T, B, V)}``;
    logits (T, B, V), targets (T, B) with -1 = no loss."""
    mistakes = [
        (_mean_over_all_positions, CLOZE_HINTS["all_positions"]),
        (_sums_instead_of_mean, CLOZE_HINTS["sum"]),
        (_uses_minus_one_as_a_word, CLOZE_HINTS["minus_one"]),
        (_loss_not_masked, CLOZE_HINTS["unmasked_loss"]),
        (_gradient_not_masked, CLOZE_HINTS["unmasked_grad"]),
        (_gradient_without_softmax, CLOZE_HINTS["no_softmax"]),
        (_gradient_sign_flipped, CLOZE_HINTS["sign"]),
    ]
    hints = [Hint(lambda d: d.kind == "nan" and d.case == 2, CLOZE_HINTS["overflow"])]
    return check(
        "Exercise 2 (the cloze loss and its gradient)",
        student,
        reference_cloze_loss,
        CLOZE_CASES,
        hints=hints,
        mistakes=mistakes,
        axis_names={"dlogits": ("t", "story", "word")},
    )


# ---------------------------------------------------------------- Exercise 3: name units


def reference_name_selectivity(h: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The share of each unit's variance across stories explained by the name (η²).

    ``h`` (B, H) hidden states of B stories at one step, ``names`` (B,) class labels.
    η²_j = Σ_c n_c (mean_c h_j − mean h_j)² / Σ_b (h_bj − mean h_j)², (H,) in [0, 1];
    0 for a unit that does not vary.
    """
    h = np.asarray(h, dtype=float)
    names = np.asarray(names)
    centred = h - h.mean(axis=0)
    total = (centred**2).sum(axis=0)
    between = np.zeros(h.shape[1])
    for c in np.unique(names):
        rows = centred[names == c]
        between += len(rows) * rows.mean(axis=0) ** 2
    return np.where(total > 1e-12, between / np.maximum(total, 1e-300), 0.0)


def _unweighted_classes(h, names):
    """Mistake: the variance of the class means, every class weighted alike (not by n_c)."""
    h = np.asarray(h, dtype=float)
    names = np.asarray(names)
    means = np.array([h[names == c].mean(axis=0) for c in np.unique(names)])
    total = h.var(axis=0)
    return np.where(total > 1e-12, means.var(axis=0) / np.maximum(total, 1e-300), 0.0)


def _class_means_not_weighted(h, names):
    """Mistake: Σ_c (mean_c − mean)², the class sizes n_c left out, over the total."""
    h = np.asarray(h, dtype=float)
    names = np.asarray(names)
    centred = h - h.mean(axis=0)
    total = (centred**2).sum(axis=0)
    between = sum(centred[names == c].mean(axis=0) ** 2 for c in np.unique(names))
    return np.where(total > 1e-12, between / np.maximum(total, 1e-300), 0.0)


def _names_assumed_0_to_4(h, names):
    """Mistake: loops over classes 0 … 4 instead of the labels present (the notebook's names
    are word ids, not 0 … 4)."""
    h = np.asarray(h, dtype=float)
    names = np.asarray(names)
    centred = h - h.mean(axis=0)
    total = (centred**2).sum(axis=0)
    between = np.zeros(h.shape[1])
    for c in range(5):
        rows = centred[names == c]
        if len(rows):
            between += len(rows) * rows.mean(axis=0) ** 2
    return np.where(total > 1e-12, between / np.maximum(total, 1e-300), 0.0)


def _within_ratio(h, names):
    """Mistake: between / within (an F-like ratio) instead of between / total."""
    h = np.asarray(h, dtype=float)
    names = np.asarray(names)
    eta = reference_name_selectivity(h, names)
    return eta / np.maximum(1.0 - eta, 1e-12)


def _selectivity_case(
    seed: int, B: int, H: int, n_names: int, uneven: bool, first_id: int = 0, dead: int = -1
):
    """Labels first_id … first_id + n_names − 1; unit ``dead`` (if >= 0) is constant 0."""
    rng = np.random.default_rng(seed)
    if uneven:  # the classes have different sizes
        weights = np.linspace(1.0, 3.0, n_names)
        names = rng.choice(n_names, size=B, p=weights / weights.sum())
    else:
        names = np.arange(B) % n_names
    code = rng.normal(size=(n_names, H)) * rng.uniform(0, 2, size=H)
    h = np.tanh(code[names] + rng.normal(size=(B, H)) * rng.uniform(0.1, 1.5, size=H))
    if dead >= 0:
        h[:, dead] = 0.0  # a unit that does not vary: η² = 0 by definition
    return ((h, names + first_id), {})


SELECTIVITY_CASES = [
    _selectivity_case(70, B=40, H=6, n_names=5, uneven=True),
    _selectivity_case(71, B=60, H=9, n_names=5, uneven=True),
    _selectivity_case(72, B=30, H=4, n_names=3, uneven=False),
    # the notebook's labels: word ids 2 … 6, and one dead unit (constant 0)
    _selectivity_case(73, B=50, H=7, n_names=5, uneven=True, first_id=2, dead=4),
]

SELECTIVITY_HINTS = {
    "unweighted": "weight each name's mean by the number of stories with that name (n_c): the "
    "between-name sum is Σ_c n_c (mean_c − mean)², and the names are not equally frequent.",
    "within": "divide by the TOTAL sum of squares Σ_b (h_b − mean)², not by the within-name "
    "part: η² is a share of the variance, between 0 and 1.",
    "labels": "loop over the labels that occur (np.unique(names)): the names are word ids, "
    "not 0 … 4.",
    "constant": "a unit that does not vary has a total sum of squares of 0, and 0 / 0 is NaN: "
    "return 0 for it (the text's convention), e.g. with np.where(total > 1e-12, …, 0.0).",
    "range": "η² is a share of the variance: every value lies in [0, 1]. Take means over the "
    "stories (axis 0), one value per unit.",
}


def check_name_selectivity(student: Callable) -> Callable:
    """Exercise 3: ``name_selectivity(h, names) -> eta2`` (H,), h (B, H), names (B,)."""
    mistakes = [
        (_unweighted_classes, SELECTIVITY_HINTS["unweighted"]),
        (_class_means_not_weighted, SELECTIVITY_HINTS["unweighted"]),
        (_names_assumed_0_to_4, SELECTIVITY_HINTS["labels"]),
        (_within_ratio, SELECTIVITY_HINTS["within"]),
    ]
    hints = [
        Hint(lambda d: d.kind == "shape", SELECTIVITY_HINTS["range"]),
        Hint(lambda d: d.kind == "nan" and d.case == 3, SELECTIVITY_HINTS["constant"]),
    ]
    return check(
        "Exercise 3 (which units carry the name)",
        student,
        reference_name_selectivity,
        SELECTIVITY_CASES,
        hints=hints,
        mistakes=mistakes,
        axis_names={"output": ("unit",)},
    )
