"""Bad-input sweep: call every public helper with one argument at a time made wrong.

For each function in ``CALLS`` (a valid example call, all arguments by keyword), each
argument is replaced in turn by each mutation of its kind (wrong ndim, wrong trailing size,
empty, NaN, inf, 1e308, list, None, str, bool, negative, zero, int and float32 arrays, a
params dict with a missing/extra/misshaped key, …) and the outcome is classified:

- ``clear``: a ValueError/TypeError (or a documented error of the helpers) raised by the
  helpers' own code, whose message names the argument as the caller wrote it;
- ``unnamed``: a ValueError/TypeError from the helpers' code that does not name it;
- ``numpy``: any error raised from inside NumPy (or another library), or an error of
  another type (AttributeError, KeyError, IndexError, …): the traceback a student must
  not see;
- ``nonfinite``: accepted, and the result holds NaN or inf;
- ``hang``: still running after the time limit;
- ``accepted``: accepted with a finite result (often legitimate: a list for an array, an
  int array, a float32 array; otherwise a judgement call, listed for review).

Usage: ``python tools/sweep.py [MODULE ...] [--show KIND]``. ``tests/test_bad_input.py``
runs it and requires no ``unnamed``/``numpy``/``nonfinite``/``hang`` outcome in the
modules listed there as done.
"""

from __future__ import annotations

import argparse
import copy
import math
import signal
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import (  # noqa: E402
    clip,
    generative,
    gradcheck,
    gru,
    jacobians,
    landscape,
    lm,
    lstm,
    optim,
    rnn,
    schedules,
    stacking,
    stats,
    tasks,
    toys,
    train,
    truncation,
    unroll,
)

HELPERS_DIR = str(ROOT / "helpers")
TIME_LIMIT_S = 2.0
KINDS = ("clear", "unnamed", "numpy", "nonfinite", "hang", "accepted")
#: Representation changes a helper may legitimately accept (same numbers, other container).
BENIGN = {"list", "int array", "float32 array", "tuple"}


@dataclass(frozen=True)
class Outcome:
    function: str
    argument: str
    mutation: str
    kind: str
    detail: str


def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _cell_params(cell: ModuleType, D: int = 2, H: int = 3) -> dict[str, np.ndarray]:
    return cell.init(D, H, rng=_rng())


def _xs(T: int = 4, B: int = 2, D: int = 2) -> np.ndarray:
    return _rng().standard_normal((T, B, D))


def _grads() -> dict[str, np.ndarray]:
    return {"W": np.array([[3.0, -4.0], [1.0, 0.5]]), "b": np.array([2.0, -1.0])}


def _model() -> dict[str, np.ndarray]:
    params = dict(_cell_params(rnn))
    params.update(train.readout_init(3, 1, rng=_rng()))
    return params


def _calls() -> dict[str, Callable[[], tuple[Callable[..., Any], dict[str, Any]]]]:
    """Every public function, as a builder of (function, valid keyword arguments)."""
    hs, rcache = rnn.forward(_cell_params(rnn), _xs())
    dhs = np.ones_like(hs)
    story = tasks.stories(3, [0, 1, 2], rng=_rng())
    lm_params = dict(gru.init(len(tasks.VOCAB), 4, rng=_rng()))
    lm_params.update(train.readout_init(4, len(tasks.VOCAB), rng=_rng()))
    gen_params = generative.init_model(4, rng=_rng())
    quad = lambda p: {"w": 2 * p["w"]}  # noqa: E731

    def c(fn: Callable[..., Any], **kw: Any):
        return lambda: (fn, kw)

    calls = {
        "rnn.init": c(rnn.init, input_size=2, hidden_size=3, rng=_rng()),
        "rnn.forward": c(rnn.forward, params=_cell_params(rnn), xs=_xs(), h0=np.zeros((2, 3))),
        "rnn.backward": c(rnn.backward, dhs=dhs, cache=rcache, truncate=2),
        "rnn.activation_derivative": c(rnn.activation_derivative, hs=hs, activation="tanh"),
        "lstm.init": c(lstm.init, input_size=2, hidden_size=3, rng=_rng(), forget_bias=1.0),
        "lstm.forward": c(lstm.forward, params=_cell_params(lstm), xs=_xs()),
        "lstm.sigmoid": c(lstm.sigmoid, a=np.linspace(-3, 3, 5)),
        "gru.init": c(gru.init, input_size=2, hidden_size=3, rng=_rng()),
        "gru.forward": c(gru.forward, params=_cell_params(gru), xs=_xs(), h0=np.zeros((2, 3))),
        "gru.sigmoid": c(gru.sigmoid, a=np.linspace(-3, 3, 5)),
        "clip.global_norm": c(clip.global_norm, grads=_grads()),
        "clip.clip_coefficient": c(clip.clip_coefficient, norm=5.0, max_norm=1.0),
        "clip.clip_by_global_norm": c(clip.clip_by_global_norm, grads=_grads(), max_norm=1.0),
        "clip.clip_by_tensor_norm": c(clip.clip_by_tensor_norm, grads=_grads(), max_norm=1.0),
        "clip.clip_by_value": c(clip.clip_by_value, grads=_grads(), clip_value=1.0),
        "clip.angle_degrees": c(clip.angle_degrees, a=_grads(), b=clip.clip_by_value(_grads(), 1)),
        "toys.linear_gain": c(toys.linear_gain, alpha=0.9, horizon=20),
        "toys.power": c(toys.power, w=np.array([0.99, 1.0, 1.01]), n=100),
        "toys.pascanu_loss": c(toys.pascanu_loss, w=5.0, b=-2.5, steps=50, x0=0.5, target=0.7),
        "toys.pascanu_descent": c(toys.pascanu_descent, w0=5.0, b0=-2.5, lr=0.1, n_steps=5),
        "gradcheck.numerical_gradient": c(
            gradcheck.numerical_gradient,
            f=lambda p: float(np.sum(p["w"] ** 2)),
            params={"w": np.array([1.0, 2.0])},
            eps=1e-6,
        ),
        "gradcheck.rel_error": c(gradcheck.rel_error, a=np.ones((2, 3)), b=np.full((2, 3), 2.0)),
        "tasks.adding_problem": c(tasks.adding_problem, n=4, length=6, rng=_rng()),
        "tasks.story_words": c(tasks.story_words, first="Jane", second="John", fillers=(0, 1)),
        "tasks.distance_of": c(tasks.distance_of, n_filler=2),
        "tasks.stories": c(tasks.stories, n=3, n_filler=[0, 1, 2], rng=_rng()),
        "optim.SGD": c(optim.SGD, lr=0.1),
        "optim.Momentum": c(optim.Momentum, lr=0.1, momentum=0.9),
        "optim.Nesterov": c(optim.Nesterov, lr=0.1, momentum=0.9),
        "optim.Adagrad": c(optim.Adagrad, lr=0.1, eps=1e-10),
        "optim.RMSProp": c(optim.RMSProp, lr=0.1, alpha=0.9, eps=1e-10),
        "optim.Adam": c(optim.Adam, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8),
        "optim.Adam.step": c(optim.Adam(lr=0.1).step, params=_grads(), grads=_grads()),
        "optim.RMSProp.step": c(optim.RMSProp(lr=0.1).step, params=_grads(), grads=_grads()),
        "optim.Nesterov.lookahead": c(optim.Nesterov(lr=0.1).lookahead, params=_grads()),
        "optim.descend": c(
            optim.descend,
            optimizer=optim.SGD(lr=0.1),
            grad_fn=quad,
            params={"w": np.array([1.0, -1.0])},
            steps=5,
        ),
        "train.readout_init": c(train.readout_init, hidden_size=3, output_size=1, rng=_rng()),
        "train.predict": c(train.predict, cell=rnn, params=_model(), xs=_xs()),
        "train.loss_and_grads": c(
            train.loss_and_grads, cell=rnn, params=_model(), xs=_xs(), ys=np.ones(2)
        ),
        "train.fit": c(
            train.fit,
            cell=rnn,
            params=_model(),
            data=lambda step: tasks.adding_problem(2, 4, rng=np.random.default_rng(step)),
            steps=3,
            optimizer=optim.SGD(lr=0.01),
            clip_norm=1.0,
        ),
        "jacobians.spectral_radius": c(jacobians.spectral_radius, W=np.eye(3) * 0.5),
        "jacobians.largest_singular_value": c(jacobians.largest_singular_value, W=np.eye(3)),
        "jacobians.with_spectral_radius": c(
            jacobians.with_spectral_radius, W=np.eye(3) + 0.1, radius=1.2
        ),
        "jacobians.random_recurrent": c(
            jacobians.random_recurrent, hidden_size=3, radius=1.1, rng=_rng()
        ),
        "jacobians.forward": c(jacobians.forward, params=_cell_params(rnn), xs=_xs()),
        "jacobians.step_jacobians": c(jacobians.step_jacobians, params=_cell_params(rnn), xs=_xs()),
        "jacobians.products": c(jacobians.products, J=np.stack([np.eye(3) * 0.9] * 4), start=0),
        "jacobians.log10_norms": c(
            jacobians.log10_norms, J=np.stack([np.eye(3) * 0.9] * 4), start=0
        ),
        "jacobians.input_gradient_norms": c(
            jacobians.input_gradient_norms, params=_cell_params(rnn), xs=_xs()
        ),
        "jacobians.pascanu_bound": c(
            jacobians.pascanu_bound, Wh=np.eye(3) * 0.5, activation="tanh", steps=10
        ),
        "unroll.untie": c(unroll.untie, params=_cell_params(rnn), steps=4),
        "unroll.tie": c(unroll.tie, untied_grads=unroll.untie(_cell_params(rnn), steps=4)),
        "unroll.error_signals": c(unroll.error_signals, dhs=dhs, cache=rcache),
        "unroll.step_contributions": c(unroll.step_contributions, dhs=dhs, cache=rcache),
        "unroll.tbptt_grads": c(unroll.tbptt_grads, dhs=dhs, cache=rcache, k1=2, k2=2),
        "unroll.chunked_forward": c(
            unroll.chunked_forward, params=_cell_params(rnn), xs=_xs(), n=2
        ),
        "landscape.power_loss": c(landscape.power_loss, w=np.array([0.99, 1.0]), n=100, target=0.5),
        "landscape.descend": c(landscape.descend, w0=0.9, lr=0.01, steps=5, n=100),
        "landscape.difference_errors": c(
            landscape.difference_errors, w=0.999, steps=np.array([1e-3, 1e-6]), n=100
        ),
        "lm.one_hot": c(lm.one_hot, ids=np.array([[0, 2], [1, 1]]), size=3),
        "lm.softmax": c(lm.softmax, logits=np.array([[1.0, 2.0, 3.0]]), temperature=1.0),
        "lm.logits": c(lm.logits, cell=gru, params=lm_params, ids=story.tokens),
        "lm.answer_probs": c(lm.answer_probs, cell=gru, params=lm_params, batch=story),
        "lm.accuracy_by_distance": c(
            lm.accuracy_by_distance, cell=gru, params=lm_params, batch=story
        ),
        "lm.answer_targets": c(lm.answer_targets, batch=story),
        "lm.batch_source": c(lm.batch_source, batch_size=2, n_filler=[0, 1], rng=_rng()),
        "lm.generate": c(
            lm.generate, cell=gru, params=lm_params, prompt=["Jane", "said"], max_words=5
        ),
        "schedules.linear": c(schedules.linear, i=np.arange(5.0), c=0.1, k=1.0, eps=0.0),
        "schedules.exponential": c(schedules.exponential, i=np.arange(5.0), k=0.9),
        "schedules.inverse_sigmoid": c(schedules.inverse_sigmoid, i=np.arange(5.0), k=10.0),
        "schedules.sample_mask": c(schedules.sample_mask, eps_i=0.5, length=6, rng=_rng()),
        "schedules.crossing": c(schedules.crossing, kind="exponential", level=0.5, k=0.9),
        "generative.encode": c(generative.encode, text="cat"),
        "generative.windows": c(generative.windows, n=2, length=5, rng=_rng()),
        "generative.init_model": c(generative.init_model, hidden_size=4, rng=_rng()),
        "generative.scheduled_inputs": c(
            generative.scheduled_inputs,
            params=gen_params,
            ids=generative.windows(2, 5, rng=_rng()),
            eps=0.5,
            rng=_rng(),
        ),
        "generative.fit": c(
            generative.fit,
            params=gen_params,
            steps=2,
            optimizer=optim.Adam(lr=0.01),
            rng=_rng(),
            batch=2,
            length=5,
        ),
        "generative.generate": c(
            generative.generate, params=gen_params, prompt=generative.encode("at"), n=3
        ),
        "generative.teacher_forced_predictions": c(
            generative.teacher_forced_predictions,
            params=gen_params,
            ids=generative.windows(2, 5, rng=_rng()),
        ),
        "stacking.stack": c(stacking.stack, models=[_cell_params(rnn), _cell_params(rnn)]),
        "stacking.unstack": c(stacking.unstack, params=rnn.init_stack(2, 3, seeds=[0, 1]), m=1),
        "stacking.rngs": c(stacking.rngs, seeds=[0, 1, 2]),
        "rnn.init_stack": c(rnn.init_stack, input_size=2, hidden_size=3, seeds=[0, 1]),
        "gru.init_stack": c(gru.init_stack, input_size=2, hidden_size=3, seeds=[0, 1]),
        "lstm.init_stack": c(lstm.init_stack, input_size=2, hidden_size=3, seeds=[0, 1]),
        "train.init_stack": c(
            train.init_stack, cell=rnn, input_size=2, hidden_size=3, output_size=1, seeds=[0, 1]
        ),
        "clip.stack_global_norms": c(
            clip.stack_global_norms, grads=rnn.init_stack(2, 3, seeds=[0, 1])
        ),
        "clip.clip_stack_by_global_norm": c(
            clip.clip_stack_by_global_norm,
            grads=rnn.init_stack(2, 3, seeds=[0, 1]),
            max_norm=np.array([1.0, np.inf]),
        ),
        "stats.wilson_interval": c(stats.wilson_interval, k=3, n=8, confidence=0.95),
        "stats.rate": c(stats.rate, successes=np.array([True, False, True]), confidence=0.95),
        "stats.median_range": c(stats.median_range, values=np.arange(10.0)),
        "truncation.draw_coins": c(truncation.draw_coins, steps=4, keep=0.9, draws=3, rng=_rng()),
        "truncation.randomized_backward": c(
            truncation.randomized_backward,
            dhs=dhs,
            cache=rcache,
            keep=0.9,
            coins=truncation.draw_coins(4, keep=0.9, draws=1, rng=_rng())[0],
        ),
    }
    calls.update(_extra_calls())
    return calls


def _extra_calls() -> dict[str, Callable[[], tuple[Callable[..., Any], dict[str, Any]]]]:
    """More calls, one file per group of modules in ``tools/sweep_calls/`` (each defines
    ``calls()`` returning name -> builder, as ``_calls`` does)."""
    import importlib
    import pkgutil

    import sweep_calls

    extra: dict[str, Callable[[], tuple[Callable[..., Any], dict[str, Any]]]] = {}
    for info in sorted(pkgutil.iter_modules(sweep_calls.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"sweep_calls.{info.name}")
        extra.update(module.calls())
    return extra


def _extra_mutations() -> dict[type, Callable[[Any], Iterator[tuple[str, Any]]]]:
    """Mutations for argument types the generic ones below miss (a vocabulary, a figure, …):
    type -> function(valid value) -> (name, bad value) pairs, from the optional
    ``mutations()`` of the files in ``tools/sweep_calls/``. They come before the generic
    mutations of the value's kind (which still apply), for every swept call with an
    argument of that type: key them by types of your own modules."""
    global _EXTRA_MUTATIONS
    if _EXTRA_MUTATIONS is None:
        import importlib
        import pkgutil

        import sweep_calls

        _EXTRA_MUTATIONS = {}
        for info in sorted(pkgutil.iter_modules(sweep_calls.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"sweep_calls.{info.name}")
            if hasattr(module, "mutations"):
                _EXTRA_MUTATIONS.update(module.mutations())
    return _EXTRA_MUTATIONS


_EXTRA_MUTATIONS: dict[type, Callable[[Any], Iterator[tuple[str, Any]]]] | None = None


def _array_mutations(value: np.ndarray) -> Iterator[tuple[str, Any]]:
    yield "extra axis", value[None]
    if value.ndim:
        yield "missing axis", value[..., 0]
        yield "trailing size + 1", np.concatenate([value, value[..., :1]], axis=-1)
        yield "empty", value[..., :0]
    bad = np.array(value, dtype=np.float64, copy=True)
    for name, fill in (("NaN", np.nan), ("inf", np.inf), ("1e308", 1e308)):
        flat = bad.copy().reshape(-1)
        if flat.size:
            flat[0] = fill
            yield name, flat.reshape(value.shape)
    yield "list", value.tolist()
    yield "None", None
    yield "str", "abc"
    yield "bool", True
    yield "complex", value.astype(complex) + 1j
    if np.issubdtype(value.dtype, np.floating) and np.all(np.isfinite(value)):
        yield "int array", np.round(value).astype(np.int64)
        yield "float32 array", value.astype(np.float32)


def _number_mutations(value: float | int) -> Iterator[tuple[str, Any]]:
    yield "None", None
    yield "str", "1"
    yield "bool", True
    yield "NaN", math.nan
    yield "inf", math.inf
    yield "negative", -abs(value) - 1
    yield "zero", 0
    yield "1e308", 1e308
    yield "complex", complex(value, 1)
    yield "array", np.array([value, value])
    if isinstance(value, int):
        yield "fraction", value + 0.5


def _dict_mutations(value: Mapping[str, np.ndarray]) -> Iterator[tuple[str, Any]]:
    keys = list(value)
    yield "None", None
    yield "list", list(value.values())
    if keys:
        yield "missing key", {k: v for k, v in value.items() if k != keys[0]}
        v0 = np.asarray(value[keys[0]])
        if np.issubdtype(v0.dtype, np.number):
            yield "misshaped key", {**value, keys[0]: np.concatenate([v0.reshape(-1), [0.0]])}
        if np.issubdtype(v0.dtype, np.number) and v0.size:  # (not for a dict of dicts)
            nan = np.array(v0, dtype=float, copy=True).reshape(-1)
            nan[0] = np.nan
            yield "NaN entry", {**value, keys[0]: nan.reshape(v0.shape)}
        yield "str entry", {**value, keys[0]: "abc"}
    yield "extra key", {**value, "zzz": np.ones(2)}


def _mutations(value: Any) -> Iterator[tuple[str, Any]]:
    for kind, extra in _extra_mutations().items():
        if isinstance(value, kind):
            yield from extra(value)
    if isinstance(value, bool):
        yield from (("None", None), ("str", "yes"), ("int", 2))
    elif isinstance(value, (int, float, np.integer, np.floating)):
        yield from _number_mutations(value)
    elif isinstance(value, np.ndarray):
        yield from _array_mutations(value)
    elif isinstance(value, Mapping):
        yield from _dict_mutations(value)
    elif isinstance(value, np.random.Generator):
        yield from (("None", None), ("str", "seed"), ("int", 3))
    elif isinstance(value, str):
        yield from (("bogus choice", "bogus"), ("None", None), ("int", 3), ("empty", ""))
    elif isinstance(value, (list, tuple)):
        yield from (("None", None), ("str", "abc"), ("empty", type(value)()))
        yield ("NaN element", type(value)([math.nan, *value[1:]]))
        yield ("int", 3)
    elif isinstance(value, ModuleType):
        yield from (("None", None), ("str", "rnn"), ("other module", math))
    elif callable(value):
        yield from (("None", None), ("not callable", 3))
        yield ("returns NaN", lambda *a, **k: math.nan)
    else:
        yield from (("None", None), ("str", "abc"), ("int", 3))


def _fresh(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of the arguments (modules, and objects that refuse a copy such as widgets,
    are shared: the builders make those fresh on every call)."""
    memo = {id(v): v for v in kwargs.values() if isinstance(v, ModuleType)}
    out = {}
    for key, value in kwargs.items():
        try:
            out[key] = copy.deepcopy(value, memo)
        except NotImplementedError:
            out[key] = value
    return out


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def _finite(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(v) for v in value)
    if isinstance(value, (float, int, np.ndarray, np.number)):
        arr = np.asarray(value)
        return not np.issubdtype(arr.dtype, np.inexact) or bool(np.all(np.isfinite(arr)))
    if hasattr(value, "__dict__"):
        return all(_finite(v) for v in vars(value).values())
    return True


def classify(fn: Callable[..., Any], kwargs: dict[str, Any], argument: str) -> tuple[str, str]:
    """Run ``fn(**kwargs)`` under a time limit and classify it (see the module docstring)."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        with np.errstate(all="raise", under="ignore"):
            result = fn(**kwargs)
    except _Timeout:
        return "hang", f"> {TIME_LIMIT_S} s"
    except (ValueError, TypeError, clip.NonFiniteGradientError, FloatingPointError) as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        last = frames[-1].filename if frames else ""
        message = str(exc)
        documented = isinstance(exc, clip.NonFiniteGradientError)
        numpy_fpe = isinstance(exc, FloatingPointError) and not documented
        if numpy_fpe or not last.startswith(HELPERS_DIR):
            where = Path(last).name if last else "?"
            return "numpy", f"{type(exc).__name__} in {where}: {message[:100]}"
        if argument not in message:
            return "unnamed", f"{type(exc).__name__}: {message[:100]}"
        return "clear", message[:100]
    except Exception as exc:  # every other error is the kind we hunt
        frames = traceback.extract_tb(exc.__traceback__)
        where = Path(frames[-1].filename).name if frames else "?"
        return "numpy", f"{type(exc).__name__} in {where}: {str(exc)[:100]}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if not _finite(result):
        return "nonfinite", "result holds NaN or inf"
    return "accepted", ""


#: Packages of helpers whose calls are named "<package>.<module>.<function>".
PACKAGES = {"explorers"}


def module_of(name: str) -> str:
    """The module a call belongs to: the first part of its name ("optim" for
    "optim.Adam.step"), the first two for a package ("explorers.nb01" for
    "explorers.nb01.contributions"). ``sweep`` selects by either ("explorers" selects all)."""
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] in PACKAGES else parts[0]


def sweep(modules: set[str] | None = None) -> list[Outcome]:
    """Every (function, argument, mutation) outcome, for the given modules (default: all)."""
    out: list[Outcome] = []
    for name, build in _calls().items():
        if modules and not {name.split(".")[0], module_of(name)} & modules:
            continue
        _fn, valid = build()
        for argument in valid:
            for mutation, bad in _mutations(valid[argument]):
                fn, kwargs = build()
                kwargs = _fresh(kwargs)  # deep copies: no state carried from call to call
                kwargs[argument] = bad
                kind, detail = classify(fn, kwargs, argument)
                if kind == "accepted" and mutation in BENIGN:
                    continue
                out.append(Outcome(name, argument, mutation, kind, detail))
    return out


def table(outcomes: list[Outcome]) -> str:
    """Counts of each outcome kind by module, as a Markdown table."""
    by_module: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_module.setdefault(module_of(o.function), Counter())[o.kind] += 1
    lines = ["| module | " + " | ".join(KINDS) + " |", "|---" * (len(KINDS) + 1) + "|"]
    total: Counter[str] = Counter()
    for module in sorted(by_module):
        total.update(by_module[module])
        lines.append(f"| {module} | " + " | ".join(str(by_module[module][k]) for k in KINDS) + " |")
    lines.append("| **all** | " + " | ".join(str(total[k]) for k in KINDS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="helpers modules to sweep (default: all)")
    parser.add_argument("--show", action="append", default=[], choices=KINDS)
    args = parser.parse_args()
    outcomes = sweep(set(args.modules) or None)
    print(table(outcomes))
    for o in outcomes:
        if o.kind in args.show:
            print(f"{o.kind:9} {o.function}({o.argument}={o.mutation}): {o.detail}")


if __name__ == "__main__":
    main()
