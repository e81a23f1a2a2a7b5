"""The checking engine shared by every exercise: compare, diagnose, explain kindly."""

from __future__ import annotations

import math
import numbers
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Case = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class Diagnosis:
    """What is wrong with one output of one case.

    ``kind`` is one of ``"shape"``, ``"nan"``, ``"sign"``, ``"factor"``, ``"transpose"``,
    ``"zero"``, ``"other"``; ``factor`` is the best scale s with student ≈ s · expected.
    """

    leaf: str
    kind: str
    rel_error: float
    factor: float
    got_shape: tuple[int, ...]
    want_shape: tuple[int, ...]
    case: int
    #: index of the entry with the largest difference, and the values there (same shapes only)
    worst_index: tuple[int, ...] = ()
    worst_got: float = float("nan")
    worst_want: float = float("nan")


@dataclass(frozen=True)
class Hint:
    """A hint shown when ``when(diagnosis)`` is true (e.g. a factor close to T)."""

    when: Callable[[Diagnosis], bool]
    text: str


class OutputTypeError(TypeError):
    """A student's function returned something that is not numbers (said kindly, no traceback)."""


def _leaves(value: Any, prefix: str = "output") -> dict[str, np.ndarray]:
    """Flatten nested dicts/tuples/lists of numbers into named real float arrays.

    Raises ``OutputTypeError`` naming the part that is not real numbers: a string, a set,
    a generator, None, a complex or object array, a ragged list.
    """
    if isinstance(value, Mapping):
        out: dict[str, np.ndarray] = {}
        for k in sorted(value, key=repr):
            out.update(_leaves(value[k], f"{prefix}[{k!r}]"))
        return out
    if isinstance(value, (tuple, list)) and not (value and np.isscalar(value[0])):
        out = {}
        for i, v in enumerate(value):
            out.update(_leaves(v, f"{prefix}[{i}]"))
        return out
    return {prefix: _as_real_array(prefix, value)}


def _name(where: str) -> str:
    """ "a" for the whole output, "output[0] as a" for a part of it."""
    return "a" if where == "output" else f"{where} as a"


def _as_real_array(where: str, value: Any) -> np.ndarray:
    if value is None or isinstance(value, (str, bytes, set, frozenset)) or callable(value):
        raise OutputTypeError(f"{_name(where)} {type(value).__name__}, not numbers")
    if isinstance(value, Iterator):
        raise OutputTypeError(
            f"{_name(where)} {type(value).__name__} (an iterator): return an array or a list, "
            "e.g. np.array(list(...))"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            arr = np.asarray(value)
    except Exception:
        raise OutputTypeError(
            f"{_name(where)} {type(value).__name__} that is not a regular array of numbers "
            "(a ragged list?)"
        ) from None
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise OutputTypeError(
            f"{_name(where)} {type(value).__name__} of complex numbers (the answer is real)"
        )
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise OutputTypeError(
            f"{_name(where)} {type(value).__name__} of {arr.dtype}, not an array of real numbers"
        )
    return arr.astype(float)


def _diagnose(leaf: str, got: np.ndarray, want: np.ndarray, case: int) -> Diagnosis | None:
    def diag(kind: str, err: float = float("nan"), factor: float = float("nan")) -> Diagnosis:
        worst: tuple[int, ...] = ()
        worst_got = worst_want = float("nan")
        if got.shape == want.shape and got.size and np.all(np.isfinite(got)):
            flat = int(np.argmax(np.abs(got - want)))
            worst = tuple(int(i) for i in np.unravel_index(flat, got.shape))
            worst_got, worst_want = float(got.flat[flat]), float(want.flat[flat])
        return Diagnosis(
            leaf,
            kind,
            err,
            factor,
            tuple(got.shape),
            tuple(want.shape),
            case,
            worst,
            worst_got,
            worst_want,
        )

    if got.shape != want.shape:
        if got.ndim == 2 and got.T.shape == want.shape and _rel(got.T, want) < 1e-6:
            return diag("transpose", 0.0)
        return diag("shape")
    if not np.all(np.isfinite(got)):
        return diag("nan")
    err = _rel(got, want)
    if err < 1e-6:
        return None
    if got.ndim == 2 and got.shape[0] == got.shape[1] > 1 and _rel(got.T, want) < 1e-6:
        return diag("transpose", err)  # a square result, transposed: same shape, wrong order
    denom = float(np.vdot(want, want))
    if denom == 0.0:
        return diag("other", err)
    if not np.any(got):
        return diag("zero", err, 0.0)
    factor = float(np.vdot(got, want) / denom)
    if _rel(got, factor * want) < 1e-6:
        return diag("sign" if abs(factor + 1) < 1e-6 else "factor", err, factor)
    return diag("other", err, factor)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    num = float(np.linalg.norm(a - b))
    den = float(np.linalg.norm(a) + np.linalg.norm(b))
    return num / den if den else 0.0


def _axis_names_for(
    leaf: str, axis_names: Mapping[str, Sequence[str]] | None
) -> Sequence[str] | None:
    """The axis names given for ``leaf`` ("output['h']" is found under "h" too)."""
    if not axis_names:
        return None
    if leaf in axis_names:
        return axis_names[leaf]
    key = leaf.rsplit("[", 1)[-1].strip("]'\"") if "[" in leaf else leaf
    return axis_names.get(key)


def _where_worst(d: Diagnosis, axis_names: Sequence[str] | None) -> str:
    """ "largest difference at t = 3, row 1: got 0.2, expected 0.5" (empty for scalars).

    Only for arrays of several entries: the expected entry of one test case helps to find a
    bug in an implementation without being the exercise's answer. A one-number output is
    described by ``_explain_scalar`` instead, which never prints the expected number.
    """
    if not d.worst_index:
        return ""
    names = list(axis_names) if axis_names and len(axis_names) == len(d.worst_index) else None
    at = (
        ", ".join(f"{n} = {i}" for n, i in zip(names, d.worst_index, strict=True))
        if names
        else f"index {d.worst_index}"
    )
    return (
        f"; the largest difference is at {at}: got {d.worst_got:.4g}, expected {d.worst_want:.4g}"
    )


def _is_scalar(d: Diagnosis) -> bool:
    """A one-number output (shape () or one entry): its expected value IS an answer."""
    return d.got_shape == d.want_shape and int(np.prod(d.want_shape, dtype=int)) == 1


def _explain_scalar(d: Diagnosis, where: str) -> str:
    """A wrong one-number output: the student's number, the direction and a coarse size of
    the miss; never the expected number, nor a factor it could be read off from."""
    miss = describe_miss(d.worst_got, d.worst_want, 1e-6, of="the expected value")
    return f"{where} is {d.worst_got:.4g}, {miss}."


def _explain(d: Diagnosis, axis_names: Sequence[str] | None = None) -> str:
    where = f"{d.leaf} (case {d.case + 1})"
    if _is_scalar(d) and d.kind in ("factor", "other") and np.isfinite(d.worst_got):
        return _explain_scalar(d, where)
    if d.kind == "shape":
        return f"{where} has shape {d.got_shape}, but shape {d.want_shape} was expected."
    if d.kind == "transpose":
        return (
            f"{where} is the transpose of the expected result: check the order of a matrix product."
        )
    if d.kind == "nan":
        return f"{where} contains NaN or infinite values."
    if d.kind == "zero":
        return f"{where} is all zeros, but it should not be."
    if d.kind == "sign":
        return f"{where} has the opposite sign of the expected result."
    if d.kind == "factor":
        return f"{where} is off by a factor close to {d.factor:.4g}{_where_worst(d, axis_names)}."
    return f"{where} is off: relative error {d.rel_error:.2g}{_where_worst(d, axis_names)}."


def _same(a: Any, b: Any) -> bool:
    try:
        la, lb = _leaves(a), _leaves(b)
    except (TypeError, ValueError):
        return False
    return set(la) == set(lb) and all(
        la[k].shape == lb[k].shape and _rel(la[k], lb[k]) < 1e-6 for k in la
    )


def _describe(value: Any) -> str:
    shape = getattr(value, "shape", None)
    if isinstance(shape, tuple):
        return f"array{shape}"
    if isinstance(value, Mapping):
        return f"a dict with keys {sorted(value, key=repr)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def _explain_raise(title: str, exc: BaseException, case: int, args: Sequence[Any]) -> None:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"; at line {frames[-1].lineno}: {frames[-1].line}" if frames else ""
    print(f"✘ {title}: your function raised {type(exc).__name__}: {exc}")
    print(f"  (on case {case + 1}, with arguments {', '.join(_describe(a) for a in args)}{where})")
    print("  Later cells use the reference implementation.")


def check(
    title: str,
    student: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Case],
    *,
    hints: Sequence[Hint] = (),
    mistakes: Sequence[tuple[Callable[..., Any], str]] = (),
    axis_names: Mapping[str, Sequence[str]] | None = None,
) -> Callable[..., Any]:
    """Run ``student`` and ``reference`` on every case, print feedback, return the one to use.

    Passing means every output of every case agrees to a relative error below 1e-6.
    ``hints`` are shown beside a matching diagnosis; ``mistakes`` are implementations of
    common errors: when the student's output equals one of them, its message is shown.
    ``axis_names`` names the axes of an output (e.g. ``{"dh0": ("batch", "unit")}``) so that
    an unrecognised error is located in words ("at t = 3, unit = 1") rather than by index.
    """
    case_list = list(cases)
    for i, (args, kwargs) in enumerate(case_list):
        frozen_args = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
        try:
            # Overflow in the student's code is diagnosed from the result (NaN/inf), not warned.
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                got = student(*args, **kwargs)
        except NotImplementedError:
            print(f"… {title}: not implemented yet. Later cells use the reference implementation.")
            return reference
        except (Exception, SystemExit) as exc:  # the student's bug, shown kindly
            _explain_raise(title, exc, i, args)
            return reference
        for a, before in zip(args, frozen_args, strict=True):
            if isinstance(a, np.ndarray) and not np.array_equal(a, before, equal_nan=True):
                print(
                    f"✘ {title}: your function changed one of its input arrays in place "
                    f"(case {i + 1}); work on a copy. Later cells use the reference."
                )
                return reference
        want = reference(*args, **kwargs)
        want_leaves = _leaves(want)
        try:
            got_leaves = _leaves(got)
        except OutputTypeError as exc:
            print(f"✘ {title}: your function returned {exc} (case {i + 1}).")
            print(f"  Expected {_describe(want)}. Later cells use the reference implementation.")
            return reference
        if set(got_leaves) != set(want_leaves):
            print(f"✘ {title}: expected outputs {sorted(want_leaves)}, got {sorted(got_leaves)}.")
            print("  Later cells use the reference implementation.")
            return reference
        problems = [
            d
            for k in want_leaves
            if (d := _diagnose(k, got_leaves[k], want_leaves[k], i)) is not None
        ]
        if problems:
            print(f"✘ {title}: not yet right.")
            for wrong, message in mistakes:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    if _same(got, wrong(*args, **kwargs)):
                        print("  Hint: " + message)
            for d in problems:
                print("  - " + _explain(d, _axis_names_for(d.leaf, axis_names)))
                for hint in hints:
                    if hint.when(d):
                        print("    Hint: " + hint.text)
            print("  Later cells use the reference implementation.")
            return reference
    print(f"✔ {title}: correct on all {len(case_list)} test cases.")
    return student


#: A catalogued wrong number: (does this answer match it?, the hint for it).
NumberMistake = tuple[Callable[[float], bool], str]


def near(value: float, rtol: float = 0.01) -> Callable[[float], bool]:
    """A ``NumberMistake`` test: the answer is within ``rtol`` (relative) of ``value``."""
    return lambda v: bool(np.isclose(v, value, rtol=rtol, atol=0.0))


def within(value: float, atol: float) -> Callable[[float], bool]:
    """A ``NumberMistake`` test: the answer is within ``atol`` (absolute) of ``value``."""
    return lambda v: abs(v - value) <= atol


def _tolerance_text(rtol: float) -> str:
    """ "outside the 5 % tolerance", or "not exact" for an answer that must be exact."""
    if rtol <= 1e-9:
        return "not exact"
    if rtol < 1e-3:
        return f"outside the relative tolerance {rtol:g}"
    return f"outside the {100 * rtol:.3g} % tolerance"


def describe_miss(number: float, truth: float, rtol: float, of: str = "the answer") -> str:
    """How a wrong ``number`` misses ``truth``, coarsely enough not to give the truth away.

    The direction ("too large"), then a band: within 10 % (only when the tolerance is
    tighter than that), within a factor of 2, a factor 2 to 10, more than 10, more than
    1000; or the sign. Never the truth, the difference or the exact ratio.
    """
    number, truth = float(number), float(truth)
    direction = "too large" if number > truth else "too small"
    if truth == 0.0:
        return direction
    sign = "positive" if truth > 0 else "negative"
    if number == 0.0:
        return f"{direction}: {of} is not zero, it is {sign}"
    if (number > 0) != (truth > 0):
        return f"of the wrong sign: {of} is {sign}"
    log_ratio = abs(math.log(abs(number)) - math.log(abs(truth)))  # no overflow, any size
    tolerance = _tolerance_text(rtol)
    if rtol < 0.1 and log_ratio < 1.0 and abs(number / truth - 1.0) <= 0.1:
        return f"{direction}: within 10 % of {of}, but {tolerance}"
    if log_ratio <= math.log(2.0):
        return f"{direction}: within a factor of 2 of {of}, but {tolerance}"
    if log_ratio <= math.log(10.0):
        return f"{direction}: off by a factor between 2 and 10"
    if log_ratio <= math.log(1000.0):
        return f"{direction}: off by more than a factor of 10"
    return f"{direction}: off by more than a factor of 1000"


REVEAL_NOTE = (
    "  (Still stuck after a real try? Add reveal=True to the checker's call to see the answer.)"
)


def check_value(
    title: str,
    answer: Callable[[], Any],
    truth: float,
    *,
    rtol: float = 0.05,
    explanation: str = "",
    mistakes: Sequence[NumberMistake] = (),
    guidance: str = "",
    reveal: bool = False,
) -> bool:
    """Check a predicted number, returned by ``answer()``, against ``truth`` (relative ``rtol``).

    The prediction is wrapped in a function so that a student notebook, whose answer is
    ``raise NotImplementedError()``, still runs to the end.

    A right answer is confirmed with the exact value and ``explanation``. A wrong one is
    never told the truth: it hears the direction and a coarse size of the miss
    (``describe_miss``), the hint of every catalogued mistake in ``mistakes`` that matches
    it, or else ``guidance`` (how to get there, without the number). ``reveal=True`` is the
    student's deliberate request: then a wrong or missing answer is shown the truth.
    """
    ok = _check_value(title, answer, truth, rtol, explanation, mistakes, guidance, reveal)
    if not ok and reveal:
        print(f"  The answer, as you asked (reveal=True): {truth:.4g}. {explanation}".rstrip())
    return ok


def _check_value(
    title: str,
    answer: Callable[[], Any],
    truth: float,
    rtol: float,
    explanation: str,
    mistakes: Sequence[NumberMistake],
    guidance: str,
    reveal: bool,
) -> bool:
    try:
        value = answer()
    except NotImplementedError:
        print(f"… {title}: no answer yet — write your prediction in the function above.")
        return False
    except (Exception, SystemExit) as exc:
        print(f"✘ {title}: computing your answer raised {type(exc).__name__}: {exc}")
        return False
    number, problem = _as_answer_number(value)
    if problem:
        print(f"✘ {title}: {problem}")
        return False
    if np.isclose(number, truth, rtol=rtol, atol=0.0):
        print(f"✔ {title}: {number:.4g} is right (exact: {truth:.4g}). {explanation}".rstrip())
        return True
    print(f"✘ {title}: {number:.4g} is {describe_miss(number, truth, rtol)}.")
    named = [hint for matches, hint in mistakes if matches(number)]
    for hint in named:
        print("  Hint: " + hint)
    if guidance and not named:
        print("  " + guidance)
    if not reveal:
        print(REVEAL_NOTE)
    return False


def _as_answer_number(value: Any) -> tuple[float, str]:
    """``(number, "")`` for a real finite number, else ``(nan, what is wrong with it)``."""
    if isinstance(value, (bool, np.bool_)):
        return float("nan"), f"the answer should be a number, got the boolean {value!r}."
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return float("nan"), (
                f"the answer should be one number, got an array of shape {value.shape}."
            )
        value = value.reshape(()).item()
        if isinstance(value, bool):
            return float("nan"), f"the answer should be a number, got the boolean {value!r}."
    if isinstance(value, (complex, np.complexfloating)):
        return float("nan"), f"the answer should be a real number, got the complex {value!r}."
    if not isinstance(value, (numbers.Real, np.number)):
        return float("nan"), (
            f"the answer should be a number, got a {type(value).__name__} ({value!r:.40})."
        )
    number = float(value)
    if np.isnan(number):
        return number, "the answer is NaN (not a number): did a computation divide 0 by 0?"
    if np.isinf(number):
        return number, f"the answer is {number}: did a computation overflow?"
    return number, ""
