"""Notebook 01's static drawing of BPTT's backward flow, ``nb01.backward_graph``: it draws
one backward arrow per step, shaded and thickened by ‖δ_t‖ of a real network (checked here
against finite differences), an exact zero dashed, and refuses bad input by name."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from helpers import rnn
from helpers.explorers.nb01 import backward_graph
from helpers.gradcheck import numerical_gradient


def _arrows(fig):
    ax = fig.axes[0]
    found = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("delta_")}
    return [found[f"delta_{t}"] for t in range(1, len(found) + 1)]


def _luminance(color) -> float:
    r, g, b = to_rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _j_deltas():
    """‖δ_t‖ = ‖∂J/∂a_t‖ for J(y_2, y_3) on a 4-step tanh RNN, by finite differences:
    perturb the pre-activation a_t by adding e to the bias at step t only."""
    rng = np.random.default_rng(0)
    T, B, D, H = 4, 2, 2, 3
    params = rnn.init(D, H, rng=rng, scale=1.2)
    xs = rng.normal(size=(T, B, D))
    Wy, targets = rng.normal(size=(2, H)), rng.normal(size=(T, B, 2))

    def J(shift):  # shift (T, B, H) is added to a_t
        h = np.zeros((B, H))
        total = 0.0
        for t in range(T):
            h = np.tanh(xs[t] @ params["Wx"].T + h @ params["Wh"].T + params["b"] + shift[t])
            if t in (1, 2):
                total += 0.5 * float(np.sum((h @ Wy.T - targets[t]) ** 2))
        return total

    grad = numerical_gradient(lambda p: J(p["a"]), {"a": np.zeros((T, B, H))})["a"]
    return np.linalg.norm(grad, axis=(1, 2))


def test_backward_arrows_follow_the_error_signal_of_a_real_network():
    norms = _j_deltas()
    assert norms[3] < 1e-9 and norms[0] > 0.1  # δ_4 = 0: nothing after step 3 is scored
    norms[3] = 0.0  # finite differences give ~1e-11 where the exact value is 0
    fig = backward_graph(norms, losses=[2, 3])
    arrows = _arrows(fig)
    assert len(arrows) == 4
    assert arrows[3].get_linestyle() in ("--", "dashed")  # the exact zero is dashed
    assert all(a.get_linestyle() in ("-", "solid") for a in arrows[:3])
    live = sorted(range(3), key=lambda i: norms[i])  # smallest to largest ‖δ_t‖
    widths = [arrows[i].get_linewidth() for i in live]
    darkness = [-_luminance(arrows[i].get_edgecolor()) for i in live]
    assert widths == sorted(widths) and darkness == sorted(darkness)
    labels = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "δ₄ = 0" in labels and f"{norms[0]:.2f}" in labels
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_step_scored_by_default_and_sizes():
    fig = backward_graph([3.0, 2.0, 1.0, 0.5, 0.25, 0.1])
    assert len(_arrows(fig)) == 6
    assert fig.get_figwidth() > backward_graph([1.0]).get_figwidth() - 1e-9


@pytest.mark.parametrize(
    ("deltas", "losses", "error", "name"),
    [
        ([], None, ValueError, "deltas"),
        (np.ones(7), None, ValueError, "deltas"),
        ([1.0, -1.0], None, ValueError, "deltas"),
        ([1.0, np.nan], None, ValueError, "deltas"),
        (np.ones((2, 2)), None, ValueError, "deltas"),
        ("abc", None, TypeError, "deltas"),
        ([1.0, 2.0], [3], ValueError, "losses"),
        ([1.0, 2.0], [], ValueError, "losses"),
    ],
)
def test_bad_input_is_refused_by_name(deltas, losses, error, name):
    with pytest.raises(error, match=name):
        backward_graph(deltas, losses)
