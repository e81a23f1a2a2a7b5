"""Notebook 03's explorer: how the spectrum of W_h and the activation decide ‖∂h_t/∂h_0‖."""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Circle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from helpers import jacobians as jac
from helpers import style
from helpers._validate import as_int
from helpers.explorers.base import Explorer, new_figure

HIDDEN = 16
INPUTS = 4
MAX_HORIZON = 1000
HORIZON_STEP = 5
SHORT = 250  # curves up to this horizon are computed only that far
SEED = 3
LOG_HUGE = np.log10(np.finfo(np.float64).max)  # 308.25: float64 overflows above
LOG_TINY = np.log10(5e-324)  # −323.3: float64 underflows to 0 below
#: The fixed views the norm panel chooses among (few, so that most slider moves keep the
#: axes and only redraw the curves): the time axis ends at the first of these ≥ T, the
#: log axis reaches ± the first of these ≥ the data (at most 2× it, so the curve fills at
#: least half the height; 350: room for the float64 limits).
X_VIEWS = (10, 25, 50, 100, 250, 500, 1000)
Y_VIEWS = (3.0, 6.0, 10.0, 20.0, 40.0, 70.0, 120.0, 200.0, 350.0, 600.0, 1100.0)
#: Half-widths of the eigenvalue panel's views (the circle of radius ρ must fit: 1.12 ρ).
E_VIEWS = (1.25, 2.5, 5.1)
_BOX = {"facecolor": "white", "edgecolor": "0.6", "alpha": 0.95, "boxstyle": "round,pad=0.3"}


def _view(reach: float) -> float:
    """The first of ``Y_VIEWS`` ≥ ``reach`` (beyond them: the next multiple of 500)."""
    return next((v for v in Y_VIEWS if v >= reach), 500.0 * np.ceil(reach / 500.0))


def _power_of_ten(value: float, _pos: int) -> str:
    return f"$10^{{{value:.0f}}}$"


#: The initial states the explorer offers: h_0 = 0, or a fixed random state (``random_h0``).
INITIAL_STATES = ("zero", "random")


def _seed(seed: object) -> int:
    return as_int("seed", seed, min_value=0, max_value=2**63 - 1)


def network(seed: int = SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The explorer's RNN: ``W0`` (16, 16) with spectral radius 1, ``Wx`` (16, 4), and the
    input noise (1000, 1, 4) that the input-scale slider multiplies. ``seed``: an int >= 0."""
    rng = np.random.default_rng(_seed(seed))
    W0 = jac.random_recurrent(HIDDEN, 1.0, rng=rng)
    Wx = rng.normal(0.0, 1.0 / np.sqrt(INPUTS), size=(HIDDEN, INPUTS))
    noise = rng.normal(size=(MAX_HORIZON, 1, INPUTS))
    return W0, Wx, noise


def random_h0(seed: int = SEED) -> np.ndarray:
    """The explorer's random initial state h_0 (1, 16): entries uniform in (−1, 1), the
    range of a tanh state, from its own generator (``network`` draws are unchanged)."""
    return np.random.default_rng([_seed(seed), 1]).uniform(-1.0, 1.0, size=(1, HIDDEN))


def spectral() -> Explorer:
    """Spectral radius ρ, horizon, activation, input scale and initial state →
    ‖∂h_t/∂h_0‖₂ and eig(W_h).

    The network: H = 16 tanh/sigmoid/relu/linear units, W_h = ρ · W_0 with W_0 a fixed
    Gaussian matrix of spectral radius 1, inputs x_t = scale · (fixed Gaussian noise),
    h_0 = 0 or a fixed random state (``random_h0``). With no input, h_0 = 0 is a fixed
    point of the RNN (tanh, relu): the state never leaves it. The norm is drawn as log10
    (ticks 10^k), so it stays honest far beyond float64's range; the float64 limits are
    marked.
    """
    W0, Wx, noise = network()
    starts = {"zero": np.zeros((1, HIDDEN)), "random": random_h0()}
    eig0 = np.linalg.eigvals(W0)
    lam0 = jac.largest_singular_value(W0)
    t = np.arange(MAX_HORIZON + 1)

    @lru_cache(maxsize=64)
    def curve_to(
        radius: float, activation: str, scale: float, start: str, steps: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """log10 ‖∂h_t/∂h_0‖ for t = 0..steps, and the running mean of φ'(a_t) over units."""
        params = {"Wx": Wx, "Wh": radius * W0, "b": np.zeros(HIDDEN)}
        _, dphi = jac.forward(params, scale * noise[:steps], starts[start], activation=activation)
        J = dphi[..., :, None] * params["Wh"]  # diag(φ'(a_t)) W_h, as jac.step_jacobians
        logs = np.concatenate([[0.0], jac.log10_norms(J)[:, 0]])  # ‖∂h_0/∂h_0‖ = 1
        mean_dphi = np.cumsum(dphi[:, 0].mean(axis=1)) / np.arange(1, steps + 1)
        return logs, mean_dphi

    long_keys: set[tuple[float, str, float, str, int]] = set()

    def curve(
        radius: float, activation: str, scale: float, start: str, horizon: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The curve up to at least ``horizon``: only 250 steps when that suffices (4× faster)."""
        long_key = (radius, activation, scale, start, MAX_HORIZON)
        if horizon > SHORT or long_key in long_keys:
            long_keys.add(long_key)
            return curve_to(*long_key)
        return curve_to(radius, activation, scale, start, SHORT)

    fig, (ax, ax_e) = new_figure(12.0, 5.2, ncols=2)
    fig.set_layout_engine("none")  # fixed positions: nothing jumps while a slider moves
    ax.set_position((0.075, 0.22, 0.54, 0.69))
    ax_e.set_position((0.68, 0.39, 0.3, 0.53))
    ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=7, integer=True))
    # Steps beyond the horizon T (the view reaches the next fixed width): shaded, no curve.
    # Translucent, over the grid and under the lines (zorder), so that moving T redraws
    # it and the lines over a blitted background, not the axes' ticks and grid.
    beyond = ax.axvspan(0.0, 1.0, color="0.6", alpha=0.25, lw=0, zorder=1.95)
    beyond_txt = ax.text(
        0.0, 0.98, "  t > T", transform=ax.get_xaxis_transform(), va="top", fontsize=10, color="0.4"
    )
    ax.axhline(0.0, color=style.NEUTRAL, lw=1, ls=":")
    over = ax.axhline(LOG_HUGE, color=style.EXPLODE, lw=1, ls="-.")
    under = ax.axhline(LOG_TINY, color=style.VANISH, lw=1, ls="-.")
    over_txt = ax.text(
        0.99,
        LOG_HUGE,
        "float64 overflow: > 1.8e308 ",
        ha="right",
        va="bottom",
        fontsize=10,
        color=style.EXPLODE,
        transform=ax.get_yaxis_transform(),
    )
    under_txt = ax.text(
        0.99,
        LOG_TINY,
        "float64 underflow: < 4.9e-324 ",
        ha="right",
        va="top",
        fontsize=10,
        color=style.VANISH,
        transform=ax.get_yaxis_transform(),
    )
    (rho_line,) = ax.plot(
        t, t * 0.0, color="0.45", lw=1.5, ls="--", label=r"$\rho^t$ (linear rate)"
    )
    (bound_line,) = ax.plot(
        t,
        t * 0.0,
        color=style.COLORS["green"],
        lw=1.8,
        ls=":",
        label=r"bound $(\gamma\sigma_{\max})^t$",
    )
    (norm_line,) = ax.plot(t, t * 0.0, lw=2.4, label=r"$\|\partial h_t/\partial h_0\|_2$")
    # Below the axes (not over the curve, whose start a corner legend would hide).
    legend = ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, framealpha=0.95)
    ax.set_xlabel("time steps t")
    ax.set_ylabel(r"$\|\partial h_t/\partial h_0\|_2$ (log scale)")
    status = fig.text(0.83, 0.03, "", ha="center", va="bottom", fontsize=10.5, bbox=_BOX)

    ax_e.add_patch(Circle((0, 0), 1.0, fill=False, ls="--", lw=1.5, color=style.NEUTRAL))
    rho_circle = Circle((0, 0), 1.0, fill=False, lw=1.2, color="0.55")
    ax_e.add_patch(rho_circle)
    # One neutral colour: whether the gradient grows depends on the activation, the inputs
    # and the state as well as on ρ (the box and the curve say which).
    (dots,) = ax_e.plot(
        eig0.real, eig0.imag, "o", ms=6, mec="black", mew=0.6, color=style.COLORS["sky"]
    )
    ax_e.set_aspect("equal", adjustable="box")
    # The circles' key under the axis label (inside the panel it would cover eigenvalues).
    ax_e.set_xlabel("real part\n(dashed: unit circle, solid: radius ρ)", fontsize=10.5)
    ax_e.set_ylabel("imaginary part")
    ax_e.set_title("eigenvalues of $W_h$ (complex plane)")

    eig_radius = [np.nan]  # the ρ the eigenvalue panel shows

    def draw(radius: float, horizon: int, activation: str, scale: float, h0: str) -> None:
        x_end = next(v for v in X_VIEWS if v >= horizon)
        logs, mean_dphi = curve(float(radius), activation, float(scale), h0, x_end)
        view_logs = logs[: x_end + 1]
        logs = logs[: horizon + 1]
        tt = t[: horizon + 1]
        gamma_lam = jac.GAMMA[activation] * lam0 * radius
        with np.errstate(divide="ignore"):
            rho_log = tt * np.log10(radius)
            bound_log = tt * np.log10(gamma_lam)
        finite = np.isfinite(logs)
        norm_line.set_data(tt, np.where(finite, logs, np.nan))
        rho_line.set_data(tt, rho_log)
        bound_line.set_data(tt, bound_log)
        grows = logs[finite][-1] > 0 if finite[-1] else False
        colour = style.EXPLODE if grows else style.VANISH
        norm_line.set_color(colour)
        legend.legend_handles[2].set_color(colour)
        # y-range: the measured curve over the whole view (ρ^t and the bound may run far
        # off; they are clipped, so that a saturated curve that still explodes is seen to
        # grow), widened to the next fixed view: it moves only when the data outgrow it or
        # fit a smaller one, so most moves redraw the curves alone.
        view_finite = view_logs[np.isfinite(view_logs)]
        lo = min(float(view_finite.min()) if view_finite.size else 0.0, 0.0)
        hi = max(float(view_finite.max()) if view_finite.size else 0.0, 0.0)
        lo, hi = -_view(-lo), _view(hi)
        pad = 0.06 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0, x_end)
        beyond.set_x(horizon)
        beyond.set_width(x_end - horizon)
        beyond.set_visible(horizon < x_end)
        beyond_txt.set_x(horizon)
        beyond_txt.set_visible(horizon < x_end)
        for artist in (over, over_txt):
            artist.set_visible(hi + pad > LOG_HUGE)
        for artist in (under, under_txt):
            artist.set_visible(lo - pad < LOG_TINY)
        ax.set_title(f"{activation} RNN, H = {HIDDEN}: gradient size over {horizon} steps")
        verdict = (
            r"$\gamma\sigma_{\max}$ < 1: vanishing guaranteed"
            if gamma_lam < 1
            else r"$\gamma\sigma_{\max}$ ≥ 1: the bound allows growth"
        )
        lines = [
            f"ρ = {radius:.2f},  σ$_{{\\max}}$ = {lam0 * radius:.2f},  "
            f"γ = {jac.GAMMA[activation]:g}",
            verdict,
        ]
        if finite[-1]:
            lines.append(
                f"‖∂h$_T$/∂h$_0$‖ = 10$^{{{logs[-1]:.1f}}}$ at T = {horizon}"
                f" (×{10 ** (logs[-1] / horizon):.3g} per step)"
            )
        else:
            first = int(np.argmax(~finite))
            why = (
                "no ReLU unit has a > 0 (φ'(0) = 0 here)"
                if activation == "relu"
                else "φ' rounded to 0 in float64 (saturation)"
            )
            lines.append(f"‖∂h$_t$/∂h$_0$‖ = 0 exactly from t = {first}:\n{why}; not drawn")
        lines.append(f"input scale {scale:.1f}: mean φ'(a$_t$) = {mean_dphi[horizon - 1]:.3f}")
        if h0 == "zero" and scale == 0.0 and activation != "sigmoid":
            lines.append("h$_0$ = 0 and no input: the state stays at 0")
        else:
            lines.append(f"initial state h$_0$: {h0}")
        status.set_text("\n".join(lines))
        if radius != eig_radius[0]:  # the eigenvalue panel depends on ρ alone
            eig_radius[0] = radius
            dots.set_data(radius * eig0.real, radius * eig0.imag)
            rho_circle.set_radius(radius)
            lim = next(v for v in E_VIEWS if v >= 1.12 * radius)
            ax_e.set_xlim(-lim, lim)
            ax_e.set_ylim(-lim, lim)

    controls = {
        "radius": widgets.FloatSlider(
            value=1.0,
            min=0.1,
            max=4.5,
            step=0.05,
            description="spectral radius ρ",
            readout_format=".2f",
            style={"description_width": "initial"},
        ),
        # Steps of 5: 200 values, few enough to be drawn whole for drags (FILL_FRAMES).
        "horizon": widgets.IntSlider(
            value=200, min=HORIZON_STEP, max=MAX_HORIZON, step=HORIZON_STEP, description="horizon T"
        ),
        "activation": widgets.Dropdown(
            options=list(jac.ACTIVATIONS), value="tanh", description="activation"
        ),
        "scale": widgets.FloatSlider(
            value=0.5, min=0.0, max=5.0, step=0.1, description="input scale", readout_format=".1f"
        ),
        "h0": widgets.Dropdown(
            options=list(INITIAL_STATES),
            value="random",
            description="initial state h₀",
            style={"description_width": "initial"},
        ),
    }
    return Explorer(
        "spectral radius, horizon, activation, input scale, initial state", fig, controls, draw
    )


EXPLORERS = {"spectral": spectral}
