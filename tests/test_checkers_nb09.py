"""Notebook 09's checkers: the reference passes, each catalogued mistake written as a buggy
solution gets its own hint, and an unnamed error is located."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import charlm
from helpers.exercises import nb09


def _run(checker, fn, capsys):
    result = checker(fn)
    return result, capsys.readouterr().out


# Exercise 1: written independently of the reference (a loop per row, searchsorted).
def _sample_loop(logits, temperature, u):
    probs, ids = [], []
    for row, ub in zip(logits, u, strict=True):
        z = row / temperature
        e = np.exp(z - z.max())
        p = e / e.sum()
        probs.append(p)
        ids.append(min(int(np.searchsorted(np.cumsum(p), ub, side="right")), p.size - 1))
    return np.array(probs), np.array(ids)


def _no_max_subtraction(logits, temperature, u):
    with np.errstate(all="ignore"):
        e = np.exp(logits / temperature)
        p = e / e.sum(axis=-1, keepdims=True)
    return p, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _divide_after_exp(logits, temperature, u):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True)) / temperature
    p = e / e.sum(axis=-1, keepdims=True)
    return p, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _times_temperature(logits, temperature, u):
    z = logits * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return p, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _argmax(logits, temperature, u):
    p, _ = _sample_loop(logits, temperature, u)
    return p, p.argmax(axis=-1)


def _unnormalised(logits, temperature, u):
    z = logits / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return e, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _axis0(logits, temperature, u):
    z = logits / temperature
    e = np.exp(z - z.max(axis=0, keepdims=True))
    p = e / e.sum(axis=0, keepdims=True)
    return p, np.minimum((np.cumsum(p, axis=-1) <= u[:, None]).sum(axis=-1), p.shape[-1] - 1)


def _one_id_off(logits, temperature, u):
    p, ids = _sample_loop(logits, temperature, u)
    ids = ids.copy()
    ids[1] = (ids[1] + 1) % p.shape[-1]
    return p, ids


def _no_temperature(logits, temperature, u):
    return _sample_loop(logits, 1.0, u)


def _plus_one(logits, temperature, u):
    p, ids = _sample_loop(logits, temperature, u)
    return p, np.minimum(ids + 1, p.shape[-1] - 1)


def _last_at_or_below(logits, temperature, u):
    p, _ = _sample_loop(logits, temperature, u)
    return p, np.array(
        [max(int(np.sum(np.cumsum(r) <= ub)) - 1, 0) for r, ub in zip(p, u, strict=True)]
    )


def _own_random_numbers(logits, temperature, u):
    p, _ = _sample_loop(logits, temperature, u)
    rng = np.random.default_rng(123)
    return p, np.array([rng.choice(p.shape[-1], p=row) for row in p])


def test_sample_reference_passes(capsys):
    result, out = _run(nb09.check_sample_next, _sample_loop, capsys)
    assert out.startswith("✔") and result is _sample_loop


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        (_no_max_subtraction, "subtract each row's largest logit"),
        (_divide_after_exp, "after exp"),
        (_times_temperature, "multiplied the logits by the temperature"),
        (_argmax, "greedy decoding"),
        (_unnormalised, "do not sum to 1"),
        (_axis0, "down the columns"),
        (_no_temperature, "do not depend on the temperature"),
        (_plus_one, "one too large"),
        (_last_at_or_below, "one too small"),
        (_own_random_numbers, "no random numbers of your own"),
    ],
)
def test_sample_mistakes_get_their_hint(wrong, expected, capsys):
    result, out = _run(nb09.check_sample_next, wrong, capsys)
    assert out.startswith("✘") and expected in out, out
    assert result is not wrong and "Traceback" not in out


def test_sample_unnamed_error_is_located(capsys):
    _result, out = _run(nb09.check_sample_next, _one_id_off, capsys)
    assert "one too" not in out and "greedy" not in out  # no catalogued mistake claimed
    assert "if your probs are right" in out  # the general hint on ids
    assert "output[1] (case 1)" in out and "row = 1" in out, out


# Exercise 2: written independently of the reference (one character at a time).
def _held_out_stepwise(params, ids, k, carry=True):
    N, B = ids.shape
    H = params["Wh"].shape[0]
    h = np.zeros((B, H))
    total = 0.0
    for t in range(N - 1):
        if t % k == 0 and not carry:
            h = np.zeros((B, H))
        x = np.eye(params["Wx"].shape[1])[ids[t]]
        h = np.tanh(x @ params["Wx"].T + h @ params["Wh"].T + params["b"])
        z = h @ params["Wy"].T + params["by"]
        logp = z - z.max(1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(1, keepdims=True))
        total -= logp[np.arange(B), ids[t + 1]].sum()
    mean = total / ((N - 1) * B)
    return {"loss": mean, "perplexity": np.exp(mean)}


def _held_out_one_row_off(params, ids, k, carry=True):
    r = _held_out_stepwise(params, ids, k, carry)
    return {"loss": r["loss"] * 1.01, "perplexity": r["perplexity"]}


def test_held_out_reference_passes(capsys):
    result, out = _run(nb09.check_held_out, _held_out_stepwise, capsys)
    assert out.startswith("✔") and result is _held_out_stepwise


def _reset(params, ids, k, carry=True):
    return _held_out_stepwise(params, ids, k, carry=False)


def _always_carry(params, ids, k, carry=True):
    return _held_out_stepwise(params, ids, k, carry=True)


def _skip_boundary(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for s in range(0, N, k):
        chunk = ids[s : s + k]
        logp, h = charlm.log_probs(params, chunk, h if carry else None)
        total -= np.take_along_axis(logp[:-1], chunk[1:, :, None], axis=-1).sum()
        count += chunk[1:].size
    return {"loss": total / count, "perplexity": np.exp(total / count)}


def _chunk_means(params, ids, k, carry=True):
    N = ids.shape[0]
    means, h = [], None
    for s in range(0, N - 1, k):
        x = ids[s : min(s + k, N - 1)]
        logp, h = charlm.log_probs(params, x, h if carry else None)
        y = ids[s + 1 : s + 1 + len(x)]
        means.append(-np.take_along_axis(logp, y[..., None], axis=-1).mean())
    return {"loss": np.mean(means), "perplexity": np.exp(np.mean(means))}


def _bits(params, ids, k, carry=True):
    r = _held_out_stepwise(params, ids, k, carry)
    return {"loss": r["loss"] / np.log(2), "perplexity": 2 ** (r["loss"] / np.log(2))}


def _two_power(params, ids, k, carry=True):
    r = _held_out_stepwise(params, ids, k, carry)
    return {"loss": r["loss"], "perplexity": 2 ** r["loss"]}


def _exp_sum(params, ids, k, carry=True):
    r = _held_out_stepwise(params, ids, k, carry)
    return {"loss": r["loss"], "perplexity": np.exp(r["loss"] * (ids.shape[0] - 1) * ids.shape[1])}


def _over_n_b(params, ids, k, carry=True):
    r = _held_out_stepwise(params, ids, k, carry)
    N = ids.shape[0]
    return {"loss": r["loss"] * (N - 1) / N, "perplexity": np.exp(r["loss"] * (N - 1) / N)}


def _inputs_as_targets(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for s in range(0, N - 1, k):
        x = ids[s : min(s + k, N - 1)]
        logp, h = charlm.log_probs(params, x, h if carry else None)
        total -= np.take_along_axis(logp, x[..., None], axis=-1).sum()
        count += x.size
    return {"loss": total / count, "perplexity": np.exp(total / count)}


def _full_chunks_only(params, ids, k, carry=True):
    N = ids.shape[0]
    total, count, h = 0.0, 0, None
    for s in range(0, (N - 1) // k * k, k):
        logp, h = charlm.log_probs(params, ids[s : s + k], h if carry else None)
        total -= np.take_along_axis(logp, ids[s + 1 : s + k + 1, :, None], axis=-1).sum()
        count += ids[s + 1 : s + k + 1].size
    return {"loss": total / count, "perplexity": np.exp(total / count)}


def _average_perplexity(params, ids, k, carry=True):
    N = ids.shape[0]
    nats, h = [], None
    for s in range(0, N - 1, k):
        x = ids[s : min(s + k, N - 1)]
        logp, h = charlm.log_probs(params, x, h if carry else None)
        nats.extend((-np.take_along_axis(logp, ids[s + 1 : s + 1 + len(x), :, None], -1)).ravel())
    return {"loss": np.mean(nats), "perplexity": np.mean(np.exp(nats))}


@pytest.mark.parametrize(
    ("wrong", "expected"),
    [
        (_over_n_b, "divided by N·B"),
        (_inputs_as_targets, "NEXT character"),
        (_full_chunks_only, "dropped the last, shorter chunk"),
        (_average_perplexity, "not the average of the exponentials"),
        (_reset, "you started every chunk from h = 0"),
        (_always_carry, "with carry=False every chunk must start from h = 0"),
        (_skip_boundary, "across each chunk boundary"),
        (_chunk_means, "averaged the chunks' mean losses"),
        (_bits, "in bits"),
        (_two_power, "not 2^(loss in nats)"),
        (_exp_sum, "exp of the MEAN loss"),
    ],
)
def test_held_out_mistakes_get_their_hint(wrong, expected, capsys):
    result, out = _run(nb09.check_held_out, wrong, capsys)
    assert out.startswith("✘") and expected in out, out
    assert result is not wrong and "Traceback" not in out


def test_held_out_unnamed_error_is_located(capsys):
    _result, out = _run(nb09.check_held_out, _held_out_one_row_off, capsys)
    assert "Hint" not in out and "output['loss'] (case 1) is 3.536, too large: within 10 %" in out


def test_unfinished_exercises_hand_back_the_reference(capsys):
    def todo(*args, **kwargs):
        raise NotImplementedError

    for checker in (nb09.check_sample_next, nb09.check_held_out):
        result, out = _run(checker, todo, capsys)
        assert "not implemented yet" in out and result is not todo


def test_nan_without_large_logits_is_not_called_an_overflow(capsys):
    def nan_probs(logits, temperature, u):
        p, ids = _sample_loop(logits, temperature, u)
        return p * np.nan, ids

    _result, out = _run(nb09.check_sample_next, nan_probs, capsys)
    assert "contains NaN" in out and "overflows" not in out, out
