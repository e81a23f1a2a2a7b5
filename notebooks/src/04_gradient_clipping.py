# %% [markdown]
# # 04 · Gradient clipping
#
# A gradient travelling back through many time steps can grow without bound (notebooks
# 02–03). The smallest recurrent network — one unit, two parameters — already has a
# *cliff* in its error surface, so steep that one gradient step from its face throws the
# parameters far away. The simplest remedy that works is **gradient clipping**: rescale
# the gradient whenever its norm passes a threshold.
#
# **You will learn**
# - where the walls of a recurrent network's error surface come from (Pascanu, Mikolov &
#   Bengio 2013, §2.2), and why a gradient step taken on a wall's face overshoots;
# - global-norm clipping, $\nabla\ell \cdot \min(1, \epsilon/\lVert\nabla\ell\rVert)$, as
#   PyTorch's `clip_grad_norm_` computes it, and why it bounds an SGD step by
#   $\eta\,\epsilon$ (but not an Adam step);
# - how value clipping differs: it turns the gradient;
# - how to choose the threshold from the gradient norms of a run that works, tested over 8
#   seeds;
# - why clipping does nothing against *vanishing* gradients.

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers import clip, optim, regulariser, rnn, stats, style, tasks, toys, train
from helpers.exercises import nb04 as exercises
from helpers.explorers import ALL, nb04

style.use()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · One recurrent unit with a cliff
#
# Pascanu et al. (2013, Figure 6) take a recurrent network with a **single hidden unit**,
# no input and the logistic sigmoid $\sigma$. With the start $x_0 = 0.5$, 50 steps and the
# target 0.7:
#
# $$x_t = w\,\sigma(x_{t-1}) + b, \qquad E(w, b) = \big(\sigma(x_{50}) - 0.7\big)^2 .$$
#
# Its gradient is the chain rule through the 50 steps, a product of one-step factors
# $\partial x_t/\partial x_{t-1} = w\,\sigma'(x_{t-1})$ like notebook 03's Jacobians;
# `helpers.toys.pascanu_loss` computes it exactly (derived and checked against finite
# differences under *Going further*).
#
# **Where the cliff is.** One step applies the map $f(x) = w\,\sigma(x) + b$. The start
# $x_0 = 0.5$ is a fixed point of $f$ when $b = 0.5 - w\,\sigma(0.5)$. When its slope
# $\lambda = f'(0.5) = w\,\sigma'(0.5) = 0.2350\,w$ is above 1, i.e. for $w > 4.255$, that
# fixed point **repels**: a state a hair above it climbs to a high attractor, a state a hair
# below it falls to a low one. Along that line the final state $x_{50}$ jumps, and so does
# the loss: the line is the **cliff**.
#
# Pascanu et al. (2013, §2.2) name two ways a small change of the parameters can make the
# final state jump: (a) crossing a **bifurcation**, where an attractor appears or
# disappears (Doya 1993), and (b) moving the **boundary between two basins of attraction**
# across the start $x_0$, with no attractor changing. This wall is kind (b): at $w = 5$
# the map has the same three fixed points on both sides of it (a low attractor, the
# repeller near $0.5$ that separates the basins, a high attractor), and its saddle-node
# bifurcations, where $f'(x) = 1$, lie at $b \approx -2.656$ and $-2.344$, away from the
# wall at $b \approx -2.612$:

# %%
w5, b_wall = 5.0, 0.5 - 5.0 / (1 + np.exp(-0.5))
s_sn = (1 + np.array([1.0, -1.0]) * np.sqrt(1 - 4 / w5)) / 2  # σ where w σ(1 − σ) = 1
b_sn = np.log(s_sn / (1 - s_sn)) - w5 * s_sn
print(f"1/σ'(0.5) = {(1 + np.exp(-0.5)) ** 2 / np.exp(-0.5):.4f}; at w = 5: wall at b = "
      f"{b_wall:.4f}, saddle-node bifurcations at b = {b_sn[0]:.4f}, {b_sn[1]:.4f}")
for side in (-1, 1):
    fps = nb04.fixed_points(w5, b_wall + side * 1e-3)
    print(f"b = wall {side * 1e-3:+.0e}: fixed points {np.round(fps, 2)}, repeller "
          f"{'above' if fps[1] > 0.5 else 'below'} x₀ = 0.5")
    assert len(fps) == 3 and abs(fps[1] - 0.5) < 0.01
assert b_sn.min() < b_wall - 0.04 and b_wall + 0.2 < b_sn.max()

# %% [markdown]
# **Why a gradient step overshoots there.** Just beside the line, a change $\delta$ of $b$
# moves $x_{50}$ by about $\lambda^{50}\delta$: the slope on the wall's face is of order
# $\lambda^{50}$ ($3\cdot10^{3}$ at $w = 5$), and the wall is of order $1/\lambda^{50}$
# wide. A gradient step $-\eta\nabla E$ trusts a straight-line model of $E$ over its whole
# length; on the face that length is of order $\eta\lambda^{50}$, while the model holds
# only over about $1/\lambda^{50}$. At $w = 5$ and $\eta = 0.3$ a step from the steepest
# point of the face is millions of times longer than the wall is wide, and lands
# anywhere. Checked by scanning $b$ finely:

# %%
lam = w5 * np.exp(-0.5) / (1 + np.exp(-0.5)) ** 2  # w σ'(0.5)
b_scan = b_wall + np.linspace(-3, 3, 40_001) / lam**50
E_scan, _, dE_db = toys.pascanu_loss(w5, b_scan)
steep, swing = np.abs(dE_db).max(), np.ptp(E_scan)
print(f"λ = {lam:.4f}, λ⁵⁰ = {lam**50:.3g}: steepest |∂E/∂b| = {steep:.3g}; "
      f"E changes by {swing:.2f} within ±3/λ⁵⁰ = ±{3 / lam**50:.1g} of the line; a step "
      f"η·|∂E/∂b| = {0.3 * steep:.3g} there is {0.3 * steep * lam**50:.1e} × 1/λ⁵⁰")
assert 0.3 < steep / lam**50 < 3 and swing > 0.3 and 0.3 * steep * lam**50 > 1e6
assert E_scan.min() < 1e-6  # the loss reaches 0 on the face (σ(x₅₀) passes 0.7)

# %% [markdown]
# The figure shows $\log_{10} E$ (on a linear scale the valley floor and the plateau look
# alike); the right panel cuts across the wall at $w = 5$ over a range of $b$ 6000 times
# narrower.

# %%
w_axis, b_axis, logE = nb04.surface()
fig, (ax, ax_cut) = plt.subplots(1, 2, figsize=(12, 4.8), width_ratios=[1.2, 1])
image = ax.imshow(logE, origin="lower", extent=(*nb04.W_RANGE, *nb04.B_RANGE), aspect="auto",
                  cmap="Greys_r", vmin=nb04.LOG_E_MIN, vmax=0)
fig.colorbar(image, ax=ax, label="log$_{10}$ E (log scale)")
w_wall = np.linspace(4.255, 8, 50)
ax.plot(w_wall, nb04.wall(w_wall), ls=":", color=style.COLORS["orange"], lw=2,
        label="cliff: b = 0.5 − w σ(0.5)")
ax.axvline(5.0, color=style.COLORS["sky"], lw=1.2, label="cut shown on the right (w = 5)")
ax.set(xlabel="recurrent weight w", ylabel="bias b",
       title="Loss E of one recurrent unit after 50 steps")
ax.legend(loc="lower left", fontsize=10)
b_cut = b_wall + np.linspace(-4e-4, 4e-4, 2001)
E_cut, _, dE_db_cut = toys.pascanu_loss(5.0, b_cut)
assert 5000 < np.ptp(nb04.B_RANGE) / np.ptp(b_cut) < 7000  # "6000 times narrower"
ax_cut.plot((b_cut - b_wall) * 1e4, E_cut, color=style.NEUTRAL, label="loss E")
ax_cut.set(xlabel="b − (0.5 − 5 σ(0.5))   (units of 10⁻⁴)", ylabel="loss E",
           title="Across the wall at w = 5")
ax_slope = ax_cut.twinx()
ax_slope.semilogy((b_cut - b_wall) * 1e4, np.abs(dE_db_cut), color=style.EXPLODE, ls="--",
                  label="|∂E/∂b|")
ax_slope.set_ylabel("|∂E/∂b| (log scale)", color=style.EXPLODE)
ax_slope.grid(False)
ax_cut.legend(handles=[*ax_cut.get_lines(), *ax_slope.get_lines()], loc="center left",
              fontsize=10)
plt.show()

# %% [markdown]
# The minimum sits *against* the wall (for $w > 4.26$ the loss is 0 on its face, where
# $\sigma(x_{50})$ sweeps through 0.7), so gradient descent is drawn to where the gradient
# is enormous.
#
# ## 2 · Descent at the wall, with and without clipping
#
# **Global-norm clipping** rescales the gradient $g$ when its norm passes a threshold
# $\epsilon$:
#
# $$g \leftarrow g \cdot \min\!\Big(1, \frac{\epsilon}{\lVert g\rVert}\Big).$$
#
# The direction is kept; only the length changes. With plain (stochastic) gradient
# descent the step is $-\eta$ times the clipped gradient, so **no step is longer than
# $\eta\,\epsilon$**. The explorer starts at $(w, b) = (5.5, -2.2)$ and takes 100 steps with
# $\eta = 0.3$, plainly (red) and with the gradient clipped at $\epsilon = 0.5$ (dashed).
#
# **Predict, then slide:**
# 1. With the defaults, raise the threshold to 100. Which run does the clipped one become?
# 2. Lower the learning rate to 0.03 (threshold 0.5). Does the plain run still jump? Is a
#    small learning rate enough?
# 3. Set η = 10 and the threshold to 0.01. How many steps does crossing the picture take?

# %%
cliff = ALL["nb04.cliff"]()
cliff

# %% [markdown]
# Both runs walk down the plateau together until they reach the wall and zigzag across
# it. Jumping over the thin wall costs nothing; landing *on its face* does. Step 57 lands
# there, and the plain step leaves the picture for a flat plateau far away, where
# training is stuck. The clipped run takes a step of at most $\eta\epsilon = 0.15$ in the
# same direction and goes on down:

# %%
start, lr, threshold = (5.5, -2.2), 0.3, 0.5
path, norms, _ = toys.pascanu_descent(*start, lr=lr, n_steps=100)
path_c, norms_c, flags_c = toys.pascanu_descent(*start, lr=lr, n_steps=100, threshold=threshold)
hit = int(np.argmax(norms))
jumps, jumps_c = np.hypot(*np.diff(path, axis=0).T), np.hypot(*np.diff(path_c, axis=0).T)
E_end = [float(toys.pascanu_loss(*p[-1])[0]) for p in (path, path_c)]
print(f"plain: step {hit} has ‖∇E‖ = {norms[hit]:.3g}; it jumps {jumps[hit]:.3g} to "
      f"({path[hit + 1, 0]:.3g}, {path[hit + 1, 1]:.3g}); final E = {E_end[0]:.3f}")
print(f"clipped: {int(flags_c.sum())} of 100 steps clipped, longest step {jumps_c.max():.3g} "
      f"(η·ε = {lr * threshold:.3g}); final E = {E_end[1]:.2g}")
assert hit == 57 and norms[hit] > 500 and jumps_c.max() <= lr * threshold * (1 + 1e-12)
assert E_end[1] < E_end[0] / 5  # one start, one run: an illustration

# %% [markdown]
# <details><summary>Check your predictions (click to open)</summary>
#
# 1. With a threshold above every gradient norm the clipped run *is* the plain run.
# 2. With η = 0.03 neither run reaches the wall in 100 steps: a small learning rate avoids
#    the jump only by being slow. The wall's slope does not depend on η: run longer and
#    the plain run reaches the wall (‖∇E‖ first passes 1 at step 299), later lands on its
#    face and jumps anyway, at a step that depends on the last bits of the arithmetic.
# 3. Nearly every step is clipped, so nearly every step is exactly $\eta\epsilon = 0.1$
#    long: crossing the 6-wide window of $w$ takes at least 60 steps, whatever the size of
#    the gradient.
#
# </details>

# %%
assert np.array_equal(path, toys.pascanu_descent(*start, lr=lr, n_steps=100, threshold=1e3)[0])
slow_path, slow_norms, _ = toys.pascanu_descent(*start, lr=0.03, n_steps=3000)
k, k_wall = int(np.argmax(slow_norms)), int(np.argmax(slow_norms > 1))
print(f"1. threshold 1000: the two paths are identical\n2. η = 0.03: largest ‖∇E‖ in 100 "
      f"steps {slow_norms[:100].max():.2g}; ‖∇E‖ first passes 1 at step {k_wall}; within "
      f"3000 steps the largest ‖∇E‖ is above 10 and that plain step jumps more than 1")
q3_path, _, q3_flags = toys.pascanu_descent(*start, lr=10.0, n_steps=100, threshold=0.01)
print(f"3. η = 10, ε = 0.01: {int(q3_flags.sum())} of 100 steps clipped, longest "
      f"{np.hypot(*np.diff(q3_path, axis=0).T).max():.3g}")
assert slow_norms[:100].max() < 0.1 and slow_norms[k] > 10 and k_wall == 299
assert np.hypot(*(slow_path[k + 1] - slow_path[k])) > 1
assert q3_flags.sum() >= 90

# %% [markdown]
# **The bound $\eta\epsilon$ is a property of SGD.** Momentum adds up past gradients, and
# Adam divides by a running root mean square of the gradients, so shrinking the gradient
# shrinks the denominator too. Adam's first step is $\eta$ per coordinate whatever the
# gradient's size: from the same start, with the gradient clipped to $\epsilon = 0.01$,

# %%
_, gw, gb = toys.pascanu_loss(*start)
theta0 = {"w": np.array(start[0]), "b": np.array(start[1])}
g_clip, _ = clip.clip_by_global_norm({"w": np.array(gw), "b": np.array(gb)}, 0.01)
for name, opt in [("SGD", optim.SGD(lr=lr)), ("Adam", optim.Adam(lr=lr))]:
    step = opt.step(theta0, g_clip)
    length = float(np.hypot(step["w"] - start[0], step["b"] - start[1]))
    print(f"{name:>4}: first step {length:.4g}  (η·ε = {lr * 0.01:.3g})")
assert abs(length - lr * np.sqrt(2)) < 1e-3  # Adam: η per coordinate, 0.42 = 141 × η·ε

# %% [markdown]
# ## 3 · Global norm, or value?
#
# | rule | what it does | PyTorch | direction |
# |---|---|---|---|
# | global norm | one norm over *all* arrays; everything scaled by $\min(1, \epsilon/\lVert g\rVert)$ | `clip_grad_norm_(model.parameters(), ε)` | kept |
# | per-tensor norm | each array scaled by its own $\min(1, \epsilon/\lVert g_k\rVert)$ | `clip_grad_norm_(p, ε)` per parameter | can turn |
# | value | every entry clamped into $[-c, c]$ | `clip_grad_value_(params, c)` | can turn |
#
# Take $g = (3, 0.5)$ and threshold 1. Global-norm clipping moves $g$ along its own line
# onto the unit circle. Value clipping moves it to $(1, 0.5)$: a different direction,
# turned by $\arctan(0.5) - \arctan(0.5/3)$. Only global-norm clipping is a pure change of
# step size, which is what the argument about walls asks for.

# %%
g2 = {"a": np.array([3.0]), "b": np.array([0.5])}
by_norm, _ = clip.clip_by_global_norm(g2, 1.0)
by_value = clip.clip_by_value(g2, 1.0)
angle_norm, angle_value = clip.angle_degrees(g2, by_norm), clip.angle_degrees(g2, by_value)
assert abs(angle_norm) < 1e-5
assert abs(angle_value - np.degrees(np.arctan(0.5) - np.arctan(0.5 / 3))) < 1e-9
fig, ax = plt.subplots(figsize=(7.5, 4.2))
circle = np.linspace(0, 2 * np.pi, 200)
ax.plot(np.cos(circle), np.sin(circle), color=style.COLORS["blue"], lw=1.2,
        label="‖g‖ = 1 (global-norm limit)")
ax.plot([-1, 1, 1, -1, -1], [-1, -1, 1, 1, -1], color=style.COLORS["green"], lw=1.2,
        ls="--", label="|gᵢ| ≤ 1 (value limit)")
for vec, colour, width, name in [
    ((3, 0.5), style.NEUTRAL, 1.6, "gradient g = (3, 0.5)"),
    ((by_norm["a"][0], by_norm["b"][0]), style.COLORS["blue"], 4.0,
     f"clipped by norm: direction kept ({angle_norm:.0f}°)"),
    ((1, 0.5), style.COLORS["green"], 2.4, f"clipped by value: turned {angle_value:.1f}°"),
]:
    ax.annotate("", xy=vec, xytext=(0, 0), zorder=width,
                arrowprops={"arrowstyle": "-|>", "color": colour, "lw": width})
    ax.plot([], [], color=colour, lw=width, label=name)
ax.set_aspect("equal")
ax.set(xlim=(-1.3, 3.3), ylim=(-1.2, 1.2), xlabel="gradient component g₁",
       ylabel="gradient component g₂", title="Clipping the same gradient two ways (threshold 1)")
ax.legend(loc="lower right", fontsize=9.5)
plt.show()

# %% [markdown]
# ## 4 · Choosing the threshold
#
# Pascanu et al. (2013, §3.2) advise a threshold from the **average gradient norm over
# many updates**: half to ten times it "can still yield convergence, though convergence
# speed can be affected". We test that on convergence. The experiment (`nb04.SETTINGS`):
# a tanh RNN with 16 units on the adding problem (length 6), SGD on batches of 32 for 400
# steps, **8 seeds** (each its own initial network and batches). A run **learns** when its
# MSE on 1000 fresh sequences is below $1/12$, half the baseline $1/6$ of always
# predicting 1.
#
# 1. **Measure**: train at learning rate 0.1 without clipping; take the mean (and median)
#    of all their gradient norms.
# 2. **Use**: from the same starts, on the same batches, train at learning rate 0.3 —
#    without clipping, and clipped at $0.5, 1, 5, 10\times$ the mean.

# %%
experiment = nb04.threshold_experiment()
probe, average, median = experiment.probe, experiment.average_norm, experiment.median_norm
S = len(probe.stopped)
none = experiment.runs[None]
gone = sorted(int(s.rsplit(" ", 1)[1]) for s in none.stopped if s)
print(f"probe (lr 0.1, no clipping): learned {stats.rate_text(int(probe.learned.sum()), S)}; "
      f"gradient norm mean {average:.3g}, median {median:.3g}")
print(f"lr 0.3, no clipping: {len(gone)}/{S} runs overflow")
assert probe.learned.sum() >= 7 and average > 1.1 * median and len(gone) == S

# %% [markdown]
# The probe runs learn and give the reference, a mean norm of about 0.84 (median 0.64:
# the norms are right-skewed, see *Going further*). Without clipping, every run at
# learning rate 0.3 overflows. Which thresholds rescue them is Exercise 3.
#
# ## 5 · Clipping does nothing for vanishing gradients
#
# A vanishing gradient is too *small*, and small unevenly: contributions from early time
# steps are tiny next to the recent ones. Take an RNN with small recurrent weights, 40
# steps and a loss on the last output. The gradient of $W_h$ is a sum over time of
# $C_t = \delta_t h_{t-1}^\top$ ($\delta_t = \partial L/\partial a_t$, carried back as in
# notebook 01):

# %%
rng = np.random.default_rng(7)
T = 40
small = rnn.init(2, 16, rng=rng, scale=0.5)
hs, cache = rnn.forward(small, rng.normal(size=(T, 8, 2)))
dhs = np.zeros_like(hs)
dhs[-1] = rng.normal(size=hs.shape[1:])  # a loss on the last step only
grads_v, _ = rnn.backward(dhs, cache)
contrib, carry = np.zeros((T, 16, 16)), np.zeros_like(hs[0])
for t in range(T - 1, -1, -1):
    delta = (dhs[t] + carry) * (1 - hs[t] ** 2)
    contrib[t] = delta.T @ (hs[t - 1] if t > 0 else np.zeros_like(hs[0]))
    carry = delta @ small["Wh"]
assert np.allclose(contrib.sum(axis=0), grads_v["Wh"], rtol=1e-10, atol=1e-14)
size = np.linalg.norm(contrib, axis=(1, 2))
clipped_v, norm_v = clip.clip_by_global_norm(grads_v, 0.01)
c = clipped_v["Wh"].ravel() @ grads_v["Wh"].ravel() / np.sum(grads_v["Wh"] ** 2)
assert all(np.allclose(clipped_v[k], c * grads_v[k], rtol=1e-12, atol=0) for k in grads_v)
print(f"‖C_t‖ 30 steps back / last: {size[-31] / size[-1]:.3g}; clipped at 0.01 every "
      f"array is × {c:.3g}, every C_t with it: the ratio stays {c * size[-31] / (c * size[-1]):.3g}")

# %% [markdown]
# Clipping by the global norm multiplies every time step's contribution by the same
# factor, so the decay stays. No rescaling of the total gradient brings the early
# contributions up; that needs a structure
# whose backward path does not shrink at every step — the LSTM and GRU of **notebook 05**
# — or a term in the loss that asks for it (Pascanu's regulariser, *Going further*).
#
# ## Exercises
#
# ### Exercise 1: `clip_grad_norm` as PyTorch computes it
#
# Write `clip_grad_norm(grads, max_norm, error_if_nonfinite=False)` with the semantics of
# `torch.nn.utils.clip_grad_norm_`: **one** L2 norm over every array of the dict
# together; every array multiplied by `max_norm / (total_norm + 1e-6)`, clamped at 1;
# return `(clipped, total_norm)` with the norm *before* clipping (new arrays; leave the
# caller's alone). When `error_if_nonfinite` is true and the total norm is NaN or
# infinite, raise an error instead.

# %%
def clip_grad_norm(grads: dict, max_norm: float, error_if_nonfinite: bool = False):
    """(clipped, total_norm) as torch.nn.utils.clip_grad_norm_ computes them."""
    ### BEGIN SOLUTION
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"the total norm is {total}: cannot clip")
    coef = min(1.0, max_norm / (total + 1e-6))
    return {k: g * coef for k, g in grads.items()}, total
    ### END SOLUTION


clip_grad_norm = exercises.check_clip_grad_norm(clip_grad_norm)

# %% [markdown]
# ### Exercise 2: how far can value clipping turn a gradient?
#
# In §3 value clipping turned a 2-D gradient by 17.1°. Over *all* gradients
# $g \in \mathbb{R}^D$ and thresholds $c$, what is the largest angle (the supremum, in
# degrees) between $g$ and its value-clipped version? Write `largest_turn(D)`. Reason
# first (which entries should be clamped, and which should sit just at $c$?), then test
# your formula numerically with `np.clip` before you run the checker. What does it say
# about a network with a million parameters?

# %%
def largest_turn(D: int) -> float:
    """The supremum, in degrees, of the angle value clipping can turn a D-dim gradient."""
    ### BEGIN SOLUTION
    return float(np.degrees(np.arccos(1 / np.sqrt(D))))
    ### END SOLUTION


largest_turn = exercises.check_largest_turn(largest_turn)

# %% [markdown]
# <details><summary>Check your answer (click to open)</summary>
#
# At $D = 10^6$: $\arccos(10^{-3}) \approx 89.94°$, almost a right angle.
#
# </details>

# %%
print(f"D = 10⁶: {exercises.reference_largest_turn(10**6):.4f}°")
assert abs(exercises.reference_largest_turn(10**6) - 89.94) < 0.005

# %% [markdown]
# ### Exercise 3: which thresholds work?
#
# In the experiment of §4, `experiment.runs[f].test_mse` holds the 8 seeds' test MSEs at
# learning rate 0.3 with the threshold $f \times$ the mean probe norm (`f = None`: no
# clipping; `inf` marks a run that overflowed). Write `largest_factor(test_mse)`: given
# a dict `{f: test MSEs}`, return the largest factor at which **at least 7 of the 8
# seeds learn** (test MSE below $1/12$). Predict first: does the experiment agree with
# Pascanu's "half to ten times"?

# %%
def largest_factor(test_mse: dict) -> float:
    """The largest factor (key other than None) at which >= 7 of the 8 seeds learned."""
    ### BEGIN SOLUTION
    ok = [f for f, v in test_mse.items() if f is not None and np.sum(v < 1 / 12) >= 7]
    return float(max(ok)) if ok else float("nan")
    ### END SOLUTION


results = {f: runs.test_mse for f, runs in experiment.runs.items()}
largest_factor = exercises.check_largest_factor(largest_factor, results)

# %% [markdown]
# The verdict, with each count's 95 % Wilson interval (Wilson 1927; `helpers.stats`):

# %%
# NBVAL_IGNORE_OUTPUT
# Why: training through large gradients amplifies the last-bit differences of matrix products
# between CPUs, so the last digits of the MSEs vary by machine; the asserts below still check.
print(f"{'threshold':>20} | {'learned':>16} | {'overflowed':>10} | {'test MSE median [10–90 %]':>26}")
for f, runs in experiment.runs.items():
    label = "none" if f is None else f"{f:g} × mean = {f * average:.3g}"
    done = np.isfinite(runs.test_mse)
    spread = "—" if not done.all() else "{:.3g} [{:.3g}–{:.3g}]".format(
        *stats.median_range(runs.test_mse))
    print(f"{label:>20} | {stats.rate_text(int(runs.learned.sum()), S):>16} | "
          f"{int((~done).sum()):>8}/{S} | {spread:>26}")
print(f"(the unclipped runs overflowed between steps {gone[0]} and {gone[-1]})")
for f in experiment.factors:
    assert not any(experiment.runs[f].stopped)  # no clipped run overflowed
assert all(experiment.runs[f].learned.sum() == S for f in (0.5, 1.0, 5.0))
assert experiment.runs[10.0].learned.sum() == 0
assert exercises.reference_largest_factor(results) == 5.0
early = {f: experiment.runs[f].grad_norm[:10].max(axis=0) for f in (5.0, 10.0)}
print(f"largest ‖∇ℓ‖ in the first 10 steps, per seed: 5 × {early[5.0].min():.3g}–"
      f"{early[5.0].max():.3g}; 10 × {early[10.0].min():.3g}–{early[10.0].max():.3g}; "
      f"10 × steps clipped: {np.mean(experiment.runs[10.0].clipped):.0%}")
assert early[10.0].min() > early[5.0].max() and np.mean(experiment.runs[10.0].clipped) > 0.5
assert experiment.runs[10.0].test_mse.min() > 1 / 6 and np.median(experiment.runs[10.0].test_mse) > 1

# %% [markdown]
# Every unclipped run overflows (8/8); clipped at 0.5, 1 or 5 times the mean norm, every
# seed learns within 400 steps (8/8 each, 95 % interval 0.68–1). At 10 × none learns
# (0/8) and none overflows: steps may be twice as long as at 5 ×, the gradient norms of
# the first 10 steps climb far higher (printed above), and every run ends worse than
# always predicting 1 (median test MSE above 1), clipped on most steps. Pascanu's advice holds here at 0.5, 1 and 5 ×; at 10 ×
# no run converged within 400 steps (longer runs not tested). 8 seeds of one small
# network on one task.
#
# ## Summary
#
# - **Walls** in a recurrent network's error surface come from crossing a bifurcation or
#   a basin boundary (Pascanu et al. 2013, §2.2). The single unit's wall (checked at
#   $w = 5$) is a basin boundary: the repelling fixed point between two attractors
#   crosses the start $x_0$. Its face has slope $\sim\lambda^{50}$ and width
#   $\sim1/\lambda^{50}$, so a plain gradient step overshoots it.
# - **Global-norm clipping**, $g \cdot \min(1, \epsilon/\lVert g\rVert)$, keeps the
#   direction and bounds an SGD step by $\eta\,\epsilon$ (not an Adam step). Per-tensor
#   and value clipping turn the direction.
# - Choose the threshold from the **gradient norms of a run that works**: over 8 seeds,
#   0.5, 1 and 5 × the mean norm let 8/8 runs learn where every unclipped run overflowed; at
#   10 × none learned within 400 steps.
# - Clipping **cannot fix vanishing gradients**. Next, **[05 · LSTM and
#   GRU](05_lstm_and_gru.ipynb)**.

# %% [markdown]
# ## Going further
#
# ### The single unit's gradient, forward mode
#
# Differentiating the recurrence *forward* (one derivative per parameter, $\partial x_0 =
# 0$) gives
#
# $$\frac{\partial x_t}{\partial w} = \sigma(x_{t-1}) + w\,\sigma'(x_{t-1})\,
#   \frac{\partial x_{t-1}}{\partial w}, \qquad
#   \frac{\partial x_t}{\partial b} = 1 + w\,\sigma'(x_{t-1})\,
#   \frac{\partial x_{t-1}}{\partial b}, \qquad
#   \frac{\partial E}{\partial \theta} = 2\big(\sigma(x_{50}) - 0.7\big)\,
#   \sigma'(x_{50})\,\frac{\partial x_{50}}{\partial \theta},$$
#
# with $\sigma' = \sigma(1 - \sigma)$. `toys.pascanu_loss` runs these recursions on whole
# arrays of $(w, b)$; checked against central differences of a plain loop:

# %%
def loss_by_loop(w: float, b: float, steps: int = 50) -> float:
    """E(w, b) by running the unit step by step, with no derivative anywhere."""
    x = 0.5
    for _ in range(steps):
        x = w / (1 + np.exp(-x)) + b
    return (1 / (1 + np.exp(-x)) - 0.7) ** 2


h = 1e-6
for w, b in [(1.0, 0.5), (3.0, -1.5), (5.0, -2.0), (7.0, -3.0)]:
    E, dE_dw, dE_db = toys.pascanu_loss(w, b)
    fd_w = (loss_by_loop(w + h, b) - loss_by_loop(w - h, b)) / (2 * h)
    fd_b = (loss_by_loop(w, b + h) - loss_by_loop(w, b - h)) / (2 * h)
    err = np.hypot(dE_dw - fd_w, dE_db - fd_b) / np.hypot(fd_w, fd_b)
    assert abs(E - loss_by_loop(w, b)) < 1e-14 and err < 1e-8
    print(f"w = {w:3.1f}, b = {b:4.1f}:  E = {E:.4f}   ∇E = ({dE_dw:+.4g}, {dE_db:+.4g})   "
          f"relative error vs finite differences < 1e-8")

# %% [markdown]
# ### Where the wall begins, and how wide it is
#
# At $w \approx 4.26$, where the wall starts, $x_0 = 0.5$ is a fixed point with slope
# exactly 1: the basin boundary is *born* in a saddle-node bifurcation, the two kinds of
# wall meet, and the wall is hardly steep ($\lambda^{50} \approx 1$). Away from there the
# distance to the nearest saddle-node bifurcation grows with $w$, and once the wall is
# steep ($w \ge 5$ here) its width (the $\Delta b$ over which $x_{50}$ goes 10–90 % of
# the way between the attractors) is of the order of $1/\lambda^{50}$:

# %%
sigma_half = 1 / (1 + np.exp(-0.5))
gaps = []
for w in (4.26, 4.5, 5.0, 6.0):
    s_w = (1 + np.array([1.0, -1.0]) * np.sqrt(1 - 4 / w)) / 2  # f'(x) = 1 there
    line = 0.5 - w * sigma_half
    gaps.append(np.abs(np.log(s_w / (1 - s_w)) - w * s_w - line).min())
    lam_w = w * sigma_half * (1 - sigma_half)
    b_fine = line + np.linspace(-3, 3, 40_001) / lam_w**50
    x50 = np.full_like(b_fine, 0.5)
    for _ in range(50):
        x50 = w / (1 + np.exp(-x50)) + b_fine
    share = (x50 - x50.min()) / (x50.max() - x50.min())
    width = b_fine[np.argmax(share > 0.9)] - b_fine[np.argmax(share > 0.1)]
    print(f"w = {w:4}: λ^50 = {lam_w**50:.3g}; to the nearest saddle-node {gaps[-1]:.2g} in b; "
          f"10–90 % width {width:.2g} (1/λ^50 = {1 / lam_w**50:.2g})")
    if w >= 5:
        assert 0.2 < width * lam_w**50 < 5  # same order as 1/λ^50
assert np.all(np.diff(gaps) > 0) and gaps[0] < 1e-5  # they meet at the start, then part

# %% [markdown]
# ### The plain path of §2, step by step
#
# (b − wall: the signed distance in $b$ from the line; negative means the lower plateau.)
# The plain run crosses the wall several times at no cost before step 57 lands on its
# face:

# %%
wall_gap = path[:, 1] - nb04.wall(path[:, 0])
E_path = toys.pascanu_loss(path[:, 0], path[:, 1])[0]
first_below = int(np.argmax(wall_gap < 0))
for k in sorted({first_below, 40, hit - 1, hit}):
    print(f"step {k:2d}: b − wall = {wall_gap[k]:+.2g}, E = {E_path[k]:.3g}, "
          f"‖∇E‖ = {norms[k]:.3g}")
crossings = int(np.sum(np.diff(np.sign(wall_gap[: hit + 1])) != 0))
print(f"crossings before step {hit}: {crossings}; largest ‖∇E‖ on the lower side before it: "
      f"{norms[:hit][wall_gap[:hit] < 0].max():.2g}")
assert abs(wall_gap[hit]) < 1e-3 and crossings >= 2
assert norms[:hit][wall_gap[:hit] < 0].max() < 1  # crossing the wall cost nothing

# %% [markdown]
# ### Clipping is a safeguard, not a guarantee
#
# From some starts the *plain* run ends lower. One run, from $(5.5, -3.0)$ with η = 0.1
# and threshold 0.5: clipping bounds the length of a step, not where it lands, and a
# shorter step can be the slower one.

# %%
ends = [toys.pascanu_descent(5.5, -3.0, lr=0.1, n_steps=100, threshold=t)[0][-1]
        for t in (None, 0.5)]
E_plain, E_clip = (float(toys.pascanu_loss(*p)[0]) for p in ends)
print(f"η = 0.1 from (5.5, −3.0), 100 steps: final E plain {E_plain:.3g}, clipped {E_clip:.3g}")
assert E_plain < E_clip

# %% [markdown]
# ### Norm clipping in three notations, PyTorch and TensorFlow
#
# The lecture notes write the rule as a formula (Krähenbühl & Wu) and as Pascanu et al.'s
# Algorithm 1: *if $\lVert\hat g\rVert \ge$ threshold then $\hat g \leftarrow$
# (threshold$/\lVert\hat g\rVert)\,\hat g$*. The two are the same function. The course's
# `clip.clip_by_global_norm` follows PyTorch's source for `clip_grad_norm_` (the answer
# to Exercise 1): `clip_coef = max_norm / (total_norm + 1e-6)`, clamped at 1, so it
# agrees with the other two to about $10^{-6}/\lVert\hat g\rVert$. TensorFlow's
# `tf.clip_by_global_norm` writes $t \cdot \mathrm{clip\_norm} /
# \max(\mathrm{global\_norm}, \mathrm{clip\_norm})$, with no epsilon.

# %%
print(inspect.getsource(clip.clip_by_global_norm))


def clip_algorithm1(grads: dict, threshold: float) -> dict:
    """Pascanu et al.'s Algorithm 1, literally."""
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    return {k: threshold / norm * g for k, g in grads.items()} if norm >= threshold else grads


rng = np.random.default_rng(4)
grads = {"Wx": rng.normal(size=(8, 2)), "Wh": rng.normal(size=(8, 8)), "b": rng.normal(size=8)}
total = clip.global_norm(grads)
for thr in (0.1, 1.0, total, 2 * total):
    alg1, ours = clip_algorithm1(grads, thr), clip.clip_by_global_norm(grads, thr)[0]
    tf_style = {k: g * thr / max(total, thr) for k, g in grads.items()}
    rel = max(np.max(np.abs(alg1[k] - ours[k]) / np.abs(alg1[k])) for k in grads)
    rel_tf = max(np.max(np.abs(tf_style[k] - ours[k]) / np.abs(tf_style[k])) for k in grads)
    assert rel < 1e-6 and rel_tf < 1e-6
    print(f"threshold {thr:7.4f} (‖g‖ = {total:.4f}): Algorithm 1 and TensorFlow's formula "
          f"agree with helpers.clip to < 1e-6 (relative)")

# %% [markdown]
# A NaN or infinite entry is **reported** by the helper, not clipped: rescaling `inf` gives
# `nan`, and an update with NaN destroys every parameter it touches. PyTorch's
# `clip_grad_norm_` has `error_if_nonfinite=False` by default: it then returns the
# non-finite norm without complaint and multiplies the gradients by a coefficient computed
# from it. The same arithmetic in NumPy:

# %%
bad = {"Wh": np.array([1.0, np.inf]), "b": np.zeros(2)}
try:
    clip.clip_by_global_norm(bad, 1.0)
except clip.NonFiniteGradientError as err:
    print("NonFiniteGradientError:", err)
with np.errstate(invalid="ignore"):
    bad_norm = np.sqrt(sum(np.sum(g**2) for g in bad.values()))
    coef = min(1.0, 1.0 / (bad_norm + 1e-6))
    silently = {k: g * coef for k, g in bad.items()}
assert np.isinf(bad_norm) and coef == 0.0 and np.isnan(silently["Wh"][1])
print(f"unchecked: norm {bad_norm}, coefficient {coef}, clipped Wh = {silently['Wh']}")

# %% [markdown]
# ### Per-tensor and value clipping on a real gradient; a PyTorch snippet
#
# The five arrays of a vanilla RNN with a read-out, at a large initialisation, on one
# batch of the adding problem; threshold 1 for every rule. Per-tensor clipping shrinks
# the arrays with large gradients much more than the others, so the update no longer
# points along the steepest direction; value clipping does the same entry by entry.

# %%
model = nb04.initial_model()
xs, ys = nb04.adding_batches(0)
_, g_rnn = train.loss_and_grads(rnn, model, xs, ys)
rules = {"global norm": clip.clip_by_global_norm(g_rnn, 1.0)[0],
         "per-tensor norm": clip.clip_by_tensor_norm(g_rnn, 1.0)[0],
         "value": clip.clip_by_value(g_rnn, 1.0)}
print("norm of each array: " + ", ".join(f"{k} {np.linalg.norm(v):.3g}" for k, v in g_rnn.items()))
for name, clipped in rules.items():
    print(f"{name:>16}: norm after {clip.global_norm(clipped):7.4g}, angle to g "
          f"{clip.angle_degrees(g_rnn, clipped):6.2f}°")
assert clip.angle_degrees(g_rnn, rules["global norm"]) < 1e-4
assert min(clip.angle_degrees(g_rnn, rules[r]) for r in ("per-tensor norm", "value")) > 5

# %% [markdown]
# The Long Liangqu slides show this training step:
#
# ```python
# loss.backward()
# for p in model.parameters():
#     print(p.grad.norm())
# torch.nn.utils.clip_grad_norm_(p, 10)
# optimizer.step()
# ```
#
# `clip_grad_norm_` sits *after* the loop, where `p` is still the **last** parameter: it
# clips that one tensor by its own norm and leaves the others unclipped. Indented into the
# loop it would be per-tensor clipping. The intended call is
# `clip_grad_norm_(model.parameters(), 10)`. In NumPy (threshold 1, so that all five
# arrays are above it):

# %%
last = list(g_rnn)[-1]  # model.parameters() order: Wx, Wh, b, Wy, by
as_written = {**g_rnn, last: clip.clip_by_tensor_norm({last: g_rnn[last]}, 1.0)[0][last]}
for label, result in [("as written (last p only)", as_written),
                      ("inside the loop (per tensor)", rules["per-tensor norm"]),
                      ("intended (global)", rules["global norm"])]:
    print(f"{label:>29}: norm after {clip.global_norm(result):7.4g}, "
          f"angle to g {clip.angle_degrees(g_rnn, result):6.2f}°")
assert clip.global_norm(as_written) > 10  # as written, the big gradients pass through

# %% [markdown]
# **Mikolov's rule.** Goodfellow, Bengio & Courville (2016, §10.11.1) credit element-wise
# clipping to Mikolov (2012). His rule was not quite `clip_grad_value_`: he limited the
# **errors accumulated in the hidden units** to $[-15, 15]$ during back-propagation
# (Mikolov 2012, §3.2.2), and Pascanu et al. (2013, §3) describe it as clipping the
# gradient's *temporal components* element-wise, each time step's share before the sum
# over time. `clip_grad_value_` clamps the summed gradient once, before the update.
#
# ### Gradient-norm statistics: mean, median, phase
#
# The probe norms of §4 are right-skewed: the first steps are large. The
# mean is pulled up by them and by a long tail; the median describes a typical update,
# the mean gives a more cautious, larger threshold. Both depend on the learning rate and
# on the phase of training (norms before clipping):

# %%
g_p = probe.grad_norm
print(f"probe: mean {average:.3g}, median {median:.3g}; first 20 steps: mean "
      f"{g_p[:20].mean():.3g}, largest {g_p[:20].max():.3g}; without them: mean {g_p[20:].mean():.3g}")
phase = {}
for label, runs in [("lr 0.1, no clipping", probe), ("lr 0.3, clipped at 1 × mean",
                                                      experiment.runs[1.0])]:
    early, late = runs.grad_norm[:100], runs.grad_norm[200:]
    phase[label] = (early.mean(), np.median(early), late.mean(), np.median(late))
    print(f"{label:>28}: steps 0–99 mean {phase[label][0]:.3g}, median {phase[label][1]:.3g}"
          f" | steps 200–399 mean {phase[label][2]:.3g}, median {phase[label][3]:.3g}")
p_lab, c_lab = phase
assert g_p[:20].mean() > 2 * average and average > 1.2 * median
assert phase[p_lab][0] > 1.2 * phase[p_lab][2] and phase[c_lab][0] > 1.5 * phase[c_lab][2]
assert phase[c_lab][0] > phase[p_lab][0]  # the larger learning rate: larger early norms

# %% [markdown]
# **Fixed thresholds in practice.** Many published recipes use a fixed threshold: 5 for
# the LSTM translation model of Sutskever, Vinyals & Le (2014, §3.4, after dividing the
# gradient by the batch size, 128), 5 and 10 for the LSTM language models of Zaremba,
# Sutskever & Vinyals (2014, §4.1), and 1.0 for GPT-3 (Brown et al. 2020, Appendix B).
# Whether the gradient is summed or averaged over the batch changes its norm by the batch
# size, so a fixed number means something only relative to *your* model, loss and batch.
# Here:

# %%
print(f"thresholds 1 and 5 are {1 / average:.1f} × and {5 / average:.1f} × the probe mean")
assert 0.5 <= 1 / average <= 5 and 5 < 5 / average < 10  # 5 falls between 5 × and 10 ×

# %% [markdown]
# Threshold 1 falls between 1 × and 5 ×, both of which worked here; threshold 5 falls between
# 5 ×, which worked, and 10 ×, which did not learn within 400 steps.
#
# ### The threshold explorer
#
# **Predict, then slide:** as the factor goes from 0.5 to 10, how does the share of
# clipped steps change? When are the clipped steps of the 5 × runs?

# %%
threshold_runs = ALL["nb04.threshold_runs"]()  # built on the (cached) runs of §4
threshold_runs

# %% [markdown]
# <details><summary>Check your predictions (click to open)</summary>
#
# At 0.5 × nearly every step is clipped (97 %): clipping acts as a cap $\eta\epsilon$ on
# every step. At 5 × only the first steps are clipped (the initial burst, within the first
# 60 steps); from then on the runs are plain SGD, yet without those few clipped steps the
# same runs overflow. At 10 × the burst is let through, the runs are thrown far away and
# clipping takes over again for most of the steps (80 %).
#
# </details>

# %%
for f in experiment.factors:
    flags = experiment.runs[f].clipped
    last = [int(np.flatnonzero(flags[:, m]).max()) for m in range(S) if flags[:, m].any()]
    print(f"{f:4g} × mean: {np.mean(flags):5.1%} of steps clipped; the last clipped step of "
          f"each seed between {min(last)} and {max(last)}")
assert np.mean(experiment.runs[0.5].clipped) > 0.9
assert experiment.runs[5.0].clipped[60:].sum() == 0  # only the initial burst
assert np.mean(experiment.runs[10.0].clipped) > 0.5

# %% [markdown]
# ### Pascanu's regulariser Ω against vanishing gradients
#
# Clipping handles the gradient that is too large. For the one that vanishes, Pascanu et
# al. (2013, §3.3, eq. 9) add a term to the loss that asks every step of
# back-propagation to keep the norm of the error signal:
#
# $$\Omega = \sum_k \Big(\frac{\lVert v_{k+1}\, \partial h_{k+1}/\partial h_k\rVert}
#   {\lVert v_{k+1}\rVert} - 1\Big)^2, \qquad v_{k+1} = \frac{\partial E}{\partial h_{k+1}},
#   \qquad v_{k+1}\,\frac{\partial h_{k+1}}{\partial h_k} = \big(v_{k+1} \odot
#   \varphi'(a_{k+1})\big)\, W_h ,$$
#
# averaged over the batch ($v$ a row vector per sequence). $\Omega_k = 0$ when that step
# neither shrinks nor grows the error *in the direction the error actually has*; other
# directions of the Jacobian are left free. Differentiating $\Omega$ exactly would mean
# differentiating $v$ and $h$ through the network again; the paper's approximation (its
# eq. 10) treats $\partial E/\partial h_{k+1}$ and the states as constants and keeps only
# the explicit $W_h$. With $r = \hat v_{k+1} \odot \varphi'(a_{k+1})$
# ($\hat v = v/\lVert v\rVert$) and $u = r\,W_h$, that gives
# $\partial^+\Omega_k/\partial W_h = 2(\lVert u\rVert - 1)\, r^\top u/\lVert u\rVert$.
# `helpers.regulariser` implements $v_t$, $\Omega$ and $\partial^+\Omega/\partial W_h$;
# `tests/test_regulariser.py` checks $\Omega$ against explicit Jacobians and
# $\partial^+\Omega$ against finite differences of $\Omega$ with $v$ and $h$ held fixed
# (and that it is not the full derivative). A training step with it, for a stack of
# models:

# %%
print(inspect.getsource(nb04.omega_step))

# %% [markdown]
# **What it penalises.** At initialisation, on the adding problem at length 20 (the
# 8 seeds' networks, loss on the last output), most steps of back-propagation shrink the
# error signal, and only a small part of it reaches the first step:

# %%
cfg = nb04.OMEGA
start_nets = train.init_stack(rnn, 2, cfg["hidden"], 1, seeds=list(cfg["seeds"]))
x_om, _ = tasks.adding_problem(cfg["test_size"], cfg["length"], rng=np.random.default_rng(7))
hs_om, cache_om = rnn.forward({k: start_nets[k] for k in rnn.PARAM_NAMES}, x_om)
dhs_om = np.zeros_like(hs_om)
dhs_om[:, -1] = start_nets["Wy"][:, 0][:, None, :]
vs_om = regulariser.error_signals(dhs_om, cache_om)
omega0, ratios0 = regulariser.omega(vs_om, hs_om, start_nets["Wh"])
assert np.allclose(omega0, np.sum(np.mean((ratios0 - 1) ** 2, axis=-1), axis=-1), rtol=1e-12)
print(f"per-step norm ratio ‖v_t ∂h_t/∂h_t−1‖ / ‖v_t‖, all seeds and steps: median "
      f"{np.median(ratios0):.2f}, 10–90 %: {np.percentile(ratios0, 10):.2f}–"
      f"{np.percentile(ratios0, 90):.2f}; Ω per seed: median {np.median(omega0):.2g}")
assert np.median(ratios0) < 1

# %% [markdown]
# **Its effect on a long-lag task, over 8 seeds.** The same seeds trained twice on the
# same batches (`nb04.OMEGA`: length 20, 16 units, SGD at $\eta = 0.3$ on batches of 16,
# 50 steps, every run clipped at global norm 1), once on the loss alone and once on the
# loss $+ \,1 \times \Omega$ — the ablation isolates Ω. Measured after training: how
# much of the error signal of the last output reaches the first step
# ($\lVert\partial E/\partial h_1\rVert / \lVert\partial E/\partial h_{20}\rVert$, $h_1$ the
# state after the first input, $h_{20}$ the last; median
# over 250 test sequences), and the test MSE.

# %%
om = nb04.omega_experiment()
S_om = len(om.test_mse["plain"])
print("reach ‖∂E/∂h_1‖/‖∂E/∂h_20‖ at initialisation: median {:.2g} [10–90 %: {:.2g}–{:.2g}]"
      .format(*stats.median_range(om.reach_start)))
for key, label in [("plain", "loss alone"), ("omega", "loss + Ω")]:
    reach, mse = om.reach[key], om.test_mse[key]
    print(f"{label:>10}: reach median {np.median(reach):.2g} [{np.percentile(reach, 10):.2g}–"
          f"{np.percentile(reach, 90):.2g}]; test MSE median {np.median(mse):.3g} "
          f"[{np.percentile(mse, 10):.3g}–{np.percentile(mse, 90):.3g}]; learned "
          f"{stats.rate_text(int(np.sum(mse < 1 / 12)), S_om)}")
ratio_om = om.reach["omega"] / om.reach["plain"]
print(f"with Ω / without, seed by seed: smallest factor {ratio_om.min():.0f}; larger in "
      f"{stats.rate_text(int(np.sum(ratio_om > 1)), S_om)} seeds")
assert np.all(ratio_om > 3) and np.median(om.reach["plain"]) < np.median(om.reach_start)
assert not np.any(om.test_mse["plain"] < 1 / 12) and not np.any(om.test_mse["omega"] < 1 / 12)
assert np.median(om.test_mse["omega"]) > np.median(om.test_mse["plain"])

# %% [markdown]
# With Ω the share of the error signal that reaches the first step is larger in every
# seed (8/8, 95 % Wilson interval 0.68–1; by more than a factor 3, the smallest factor is
# printed), while training on the loss alone *lowered* its median below the value at
# initialisation (0.029 before, about 0.01 after). That is what Ω is for. Neither setting
# learned the task in 50 steps (0/8 each: no difference detected), and after 50 steps the
# test MSE is higher with Ω (median 0.35 against 0.19): pushing the norm up costs loss at
# first. Whether Ω then helps a
# vanilla RNN *learn* a long-lag task needs runs far longer than this notebook's time
# allowance, so it is not claimed here; Pascanu et al. (2013, §4) evaluate it, with
# clipping, on long-lag tasks. (8 seeds of one small network, one α, one length.)

# %% [markdown]
# ## References
#
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). *On the difficulty of training recurrent
#   neural networks*. ICML. (The single-unit example, Figure 6; §2.2, the two kinds of
#   wall; Algorithm 1 and the threshold heuristic, §3.2; the regulariser Ω, §3.3.)
# - Doya, K. (1993). Bifurcations of recurrent neural networks in gradient descent
#   learning. Cited as in Pascanu et al.'s (2013) bibliography, "*IEEE Transactions on
#   Neural Networks* 1, 75–80"; volume 1 of that journal is 1990, so the volume and pages
#   could not be checked here.
# - Mikolov, T. (2012). *Statistical language models based on neural networks*. PhD
#   thesis, Brno University of Technology. (§3.2.2: the errors accumulated in the hidden
#   units limited to [−15, 15] during back-propagation.)
# - Sutskever, I., Vinyals, O. & Le, Q. V. (2014). *Sequence to sequence learning with
#   neural networks*. NeurIPS. (§3.4: the gradient divided by the batch size, 128, then its
#   norm clipped at 5.)
# - Zaremba, W., Sutskever, I. & Vinyals, O. (2014). *Recurrent neural network
#   regularization*. arXiv:1409.2329. (§4.1: norm clipped at 5 and 10.)
# - Brown, T. B. et al. (2020). *Language models are few-shot learners*. NeurIPS.
#   (Appendix B: global norm clipped at 1.0.)
# - Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
#   inference. *JASA* 22, 209–212; Newcombe, R. G. (1998). Two-sided confidence intervals
#   for the single proportion. *Statistics in Medicine* 17, 857–872. (The interval for k/8.)
# - Goodfellow, I., Bengio, Y. & Courville, A. (2016). *Deep Learning*, §10.11.1,
#   "Clipping gradients". MIT Press.
# - PyTorch documentation: `torch.nn.utils.clip_grad_norm_`, `clip_grad_value_`;
#   TensorFlow documentation: `tf.clip_by_global_norm`.
# - Lecture slides used by this course: Krähenbühl & Wu (2019), *Training recurrent
#   networks* (the min formula); Leibe (2016), *Advanced Machine Learning, Lecture 18*
#   (the pseudo-code and the error surface); Long, L., *RNN 训练难题* (Pascanu's figure, the
#   PyTorch snippet); Lee, H.-y., *Training Recurrent Neural Network* (the rough error
#   surface and clipping).
