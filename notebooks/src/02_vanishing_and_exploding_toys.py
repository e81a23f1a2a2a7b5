# %% [markdown]
# # 02 · Vanishing and exploding gradients: two scalar toys
#
# Notebook 01 showed that backpropagation through time multiplies one factor per time step
# as the error signal travels back. This notebook strips that idea to its bones: a network
# with **one number** as its state, and a toy with one weight. Both fit on a napkin, both
# can be solved exactly, and both already show the whole problem. Multiply by
# a number a little below 1 many times and the gradient *vanishes*: the network cannot
# learn that an early input mattered. Multiply by a number a little above 1 and it
# *explodes*: one gradient step throws the weights far away. We will compute these effects
# exactly, check them against finite differences, see where finite differences themselves
# break down, and look at the loss surface that such a model produces — flat plateaus next
# to a steep cliff.
#
# **You will learn**
# - why the gradient of a linear RNN $h_t = \alpha h_{t-1} + x_t$ with respect to its first
#   input is exactly $\alpha^t$, and what that means for $\alpha = 0.99$ and $1.01$;
# - how fast $\alpha^t$ leaves float64's range (overflow past $1.8 \times 10^{308}$, underflow
#   to exactly 0 below $4.9 \times 10^{-324}$);
# - the toy $y = w^{1000}$: why $w = 0.99$ and $w = 1.01$ give answers $5 \times 10^{8}$ apart,
#   and how to check $\partial y/\partial w$ with $\Delta y/\Delta w$ — and which $\Delta w$ to use;
# - why the loss surface of such a model has plateaus and cliffs, and why no single
#   learning rate works on it: the motivation for gradient clipping (notebook 04).

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers import style, toys
from helpers.exercises import nb02 as ex02
from helpers.explorers import ALL
from helpers.landscape import descend, difference_errors, power_loss

style.use()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The linear RNN and its gain $\alpha^t$
#
# Take the simplest recurrent network there is (Krähenbühl & Wu's example): one number of
# state, no nonlinearity, the recurrent weight $\alpha$ and the input weight 1,
# $$h_t = \alpha\, h_{t-1} + x_t, \qquad t = 0, 1, 2, \dots, \qquad h_{-1} = 0 .$$
# Unrolling the recurrence writes $h_t$ as a weighted sum of all inputs so far:
# $$h_t = x_t + \alpha x_{t-1} + \alpha^2 x_{t-2} + \dots + \alpha^t x_0
#       = \sum_{s=0}^{t} \alpha^{t-s} x_s .$$
# The input $x_0$ enters with weight $\alpha^t$, so
# $$\frac{\partial h_t}{\partial x_0} = \alpha^t .$$
# The chain rule says the same thing step by step: $\partial h_0 / \partial x_0 = 1$ and
# every step contributes one factor $\partial h_i / \partial h_{i-1} = \alpha$, so
# $\partial h_t/\partial x_0 = \alpha \cdot \alpha \cdots \alpha = \alpha^t$. In a training
# loss that looks at $h_t$, this is how much the error at step $t$ can tell the network about
# the input at step 0.
#
# **Check it.** Run the recurrence as written, nudge $x_0$ by $\pm\varepsilon$, and compare
# the central difference $\big(h_t(x_0 + \varepsilon) - h_t(x_0 - \varepsilon)\big)/2\varepsilon$
# with $\alpha^t$ from `helpers.toys.linear_gain`:

# %%
def run_linear_rnn(alpha: float, xs: np.ndarray) -> np.ndarray:
    """h_t = alpha * h_{t-1} + x_t from h_{-1} = 0; returns [h_0, h_1, ..., h_T]."""
    h, out = 0.0, []
    for x in xs:
        h = alpha * h + x
        out.append(h)
    return np.array(out)


rng = np.random.default_rng(0)
xs = rng.normal(size=51)  # x_0 ... x_50
eps = 1e-6
print(" alpha   t   finite difference      alpha^t     rel. error")
for alpha in (0.9, 1.0, 1.1):
    up, down = xs.copy(), xs.copy()
    up[0] += eps
    down[0] -= eps
    fd = (run_linear_rnn(alpha, up) - run_linear_rnn(alpha, down)) / (2 * eps)
    gain = toys.linear_gain(alpha, 50)
    for t in (1, 10, 50):
        err = abs(fd[t] - gain[t]) / abs(gain[t])
        print(f"{alpha:6.2f} {t:3d}   {fd[t]:17.6g}  {gain[t]:11.6g}   {err:9.1e}")
        assert err < 1e-7

# %% [markdown]
# The finite differences agree with $\alpha^t$ to about eight digits, for a shrinking, a
# constant and a growing gain. (`linear_gain` is one line of NumPy; here it is.)

# %%
print(inspect.getsource(toys.linear_gain))

# %% [markdown]
# ## 2 · $1.01^{365} = 37.8$ and $0.99^{365} = 0.03$
#
# Long Liangqu's lecture shows a "most motivational poster ever": improve by 1 % a day for a
# year and you end up $1.01^{365} \approx 37.8$ times better; slack off by 1 % a day and you
# keep $0.99^{365} \approx 0.03$. Read $\alpha$ as the factor a gradient picks up per time step
# and 365 as the number of steps it travels back: two factors that differ by only 2 % end up
# more than a thousand-fold apart. The general rule: $\alpha^t = e^{t \ln \alpha}$, so
# $\alpha = 1 \pm \delta$ grows or shrinks about like $e^{\pm \delta t}$.

# %%
up_year, down_year = 1.01**365, 0.99**365
print(f"1.01^365 = {up_year:.4g}   (exp(365 ln 1.01) = {np.exp(365 * np.log(1.01)):.4g})")
print(f"0.99^365 = {down_year:.4g}  (exp(365 ln 0.99) = {np.exp(365 * np.log(0.99)):.4g})")
print(f"ratio    = {up_year / down_year:.4g}")
assert round(up_year, 1) == 37.8 and round(down_year, 2) == 0.03

# %%
days = np.arange(366)
fig, ax = plt.subplots(figsize=(9, 4))
ax.semilogy(days, toys.linear_gain(1.01, 365), color=style.EXPLODE, label="α = 1.01")
ax.semilogy(days, toys.linear_gain(0.99, 365), color=style.VANISH, ls="--", label="α = 0.99")
ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
ax.annotate(f"1.01$^{{365}}$ = {up_year:.1f}", (365, up_year), xytext=(250, 60),
            arrowprops={"arrowstyle": "->"}, fontsize=12)
ax.annotate(f"0.99$^{{365}}$ = {down_year:.3f}", (365, down_year), xytext=(240, 0.006),
            arrowprops={"arrowstyle": "->"}, fontsize=12)
ax.set_xlabel("number of steps t (days)")
ax.set_ylabel(r"gain $\alpha^t$ (log scale)")
ax.set_ylim(1e-3, 300)
ax.set_title("Two factors 2 % apart, multiplied 365 times")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# ## 3 · Explorer: the gain $\alpha^t$ over a long horizon
#
# The explorer draws $|\partial h_t/\partial x_0| = |\alpha^t|$ for $t = 0 \dots T$ on a log
# axis. The red band is the exploding regime (gain above 1), the blue band the vanishing one.
# Text boxes report when float64 gives up: a gain below $4.9 \times 10^{-324}$, the smallest
# positive float64, is stored as exactly 0 (underflow) and cannot be drawn on a log axis.
#
# **Predict, then slide:**
# 1. At $\alpha = 0.9$, after how many steps has the gain fallen below $10^{-3}$? Below $10^{-10}$?
# 2. At $\alpha = 1.5$ and $T = 1000$, does the gain overflow float64? Which $\alpha$ would?
# 3. At $\alpha = 0.01$, from which step on is the gain stored as exactly 0?
# 4. At $\alpha = 1$ exactly, what happens — and how far apart are $\alpha = 0.98$ and $1.02$ at $T = 1000$?

# %%
gain_explorer = ALL["nb02.alpha_horizon"]()
gain_explorer

# %% [markdown]
# **Check your predictions.** $\alpha^t < 10^{-k}$ once $t > k / |\log_{10} \alpha|$: the
# gain loses one decimal digit every $1/|\log_{10}\alpha|$ steps (22 steps for
# $\alpha = 0.9$, 229 for $0.99$). Overflow needs $\alpha^T > 1.8 \times 10^{308}$, i.e.
# $\alpha > 10^{308.25/T}$.

# %%
log10_09 = np.log10(0.9)
steps_1e3, steps_1e10 = int(np.ceil(-3 / log10_09)), int(np.ceil(-10 / log10_09))
g = toys.linear_gain(0.9, 300)
assert g[steps_1e3] < 1e-3 <= g[steps_1e3 - 1] and g[steps_1e10] < 1e-10 <= g[steps_1e10 - 1]
print(f"1. alpha = 0.9: gain < 1e-3 from t = {steps_1e3}, < 1e-10 from t = {steps_1e10}")

g15 = toys.linear_gain(1.5, 1000)
alpha_overflow = 10 ** (np.log10(np.finfo(np.float64).max) / 1000)
assert np.isfinite(g15[-1]) and np.isinf(toys.linear_gain(2.04, 1000)[-1])
print(f"2. 1.5^1000 = {g15[-1]:.4g}: no overflow; at T = 1000 overflow needs alpha > "
      f"{alpha_overflow:.4f}")

g001 = toys.linear_gain(0.01, 1000)
first_zero = int(np.argmax(g001 == 0.0))
print(f"3. alpha = 0.01: 0.01^{first_zero - 1} = {g001[first_zero - 1]:.3g} (a subnormal), "
      f"0.01^{first_zero} = {g001[first_zero]} exactly (underflow)")
assert first_zero == 162

ratio = toys.linear_gain(1.02, 1000)[-1] / toys.linear_gain(0.98, 1000)[-1]
print(f"4. alpha = 1: gain exactly 1 for ever; 1.02^1000 / 0.98^1000 = {ratio:.3g}")
gain_explorer.update(alpha=0.9, horizon=200)

# %% [markdown]
# ## 4 · The toy $y = w^n$ with $n = 1000$
#
# Hung-yi Lee's lecture makes the same point with a "network" of 1000 steps that multiplies
# its input 1 by one shared weight $w$ at every step, so its output is
# $$y = w^{n}, \qquad n = 1000, \qquad \frac{\partial y}{\partial w} = n\,w^{n-1}.$$
# (This is the linear RNN of section 1 with $\alpha = w$ and a single input at the start:
# $y = h_n$.) A cost $C(y)$ then has gradient
# $\frac{\partial C}{\partial w} = \frac{\partial C}{\partial y}\frac{\partial y}{\partial w}$,
# and the second factor is where the trouble is. The lecture's advice for feeling the size of a
# gradient: perturb the weight and watch the output, $\frac{\partial y}{\partial w} \approx
# \frac{\Delta y}{\Delta w}$.
#
# ### Exercise 1: predict first
#
# Before running the table, predict $0.99^{1000}$ to within
# 10 %. (Hint: $\ln 0.99 \approx -0.01$.) Write your number in the function and run the cell.

# %%
def predict_099_1000() -> float:
    ### BEGIN SOLUTION
    return float(np.exp(-10.05))
    ### END SOLUTION


_ = ex02.check_predict_099_1000(predict_099_1000)

# %% [markdown]
# Now the table: $y$, the exact derivative, and the forward difference
# $\Delta y/\Delta w = \big((w + \Delta w)^n - w^n\big)/\Delta w$ with $\Delta w = 10^{-9}$.
# The last column gives the *true* size of $y$ as a power of ten, $n \log_{10} w$, which
# float64 cannot always hold.

# %%
n = 1000
dw = 1e-9
print("     w          y = w^n      dy/dw exact     Δy/Δw     log10 y (exact)")
for w in (1.0, 1.01, 0.99, 0.01):
    y, dy = toys.power(w, n)
    fd = (toys.power(w + dw, n)[0] - y) / dw
    print(f"{w:6.2f}   {float(y):12.5g}   {float(dy):12.5g}  {float(fd):10.4g}   {n * np.log10(w):9.1f}")

y_table, _ = toys.power(np.array([1.0, 1.01, 0.99, 0.01]), n)
assert y_table[0] == 1.0 and abs(y_table[1] - 20959.16) < 0.01
assert abs(y_table[2] - 4.3171e-05) < 1e-8 and y_table[3] == 0.0

# %% [markdown]
# - $w = 1$: $y = 1$ and the gradient is $n = 1000$.
# - $w = 1.01$: $y \approx 20\,959$ (the lecture's "≈ 20000") and $\partial y/\partial w
#   \approx 2.1 \times 10^{7}$: a learning rate that suits $w = 1$ throws this weight far away.
# - $w = 0.99$: $y \approx 4.3 \times 10^{-5}$ ("≈ 0") and the gradient is $0.04$.
#   Between $w = 0.99$ and $w = 1.01$, a change of 2 %, $y$ changes by a factor
#   $(1.01/0.99)^{1000} \approx 4.9 \times 10^{8}$.
# - $w = 0.01$: the true value is $10^{-2000}$, far below the smallest positive float64
#   $4.9 \times 10^{-324}$ (a *subnormal*; the smallest normal float is $2.2 \times 10^{-308}$).
#   The result underflows to **exactly 0**, and so does the derivative $1000 \cdot 10^{-1998}$.
#   Nothing is "almost zero" here: the gradient is 0, and gradient descent cannot move $w$.
#
# The forward differences agree with the exact derivative to several digits — not to all
# of them, and for $n = 1000$ the choice of $\Delta w$ matters a great deal.

# %% [markdown]
# ## 5 · Where $\Delta y/\Delta w$ breaks down: the step-size sweep
#
# A finite difference has two errors that pull the step size $\Delta$ in opposite directions:
# - **truncation**: Taylor's theorem gives $\frac{(w+\Delta)^n - w^n}{\Delta} = y' + \tfrac12 \Delta\, y'' + O(\Delta^2)$,
#   a relative error $\tfrac12 \Delta (n-1)/w$ for $y = w^n$; the central difference
#   $\frac{(w+\Delta)^n - (w-\Delta)^n}{2\Delta}$ cancels the $\Delta$ term and leaves
#   $\tfrac16 \Delta^2 y'''$, a relative error $\Delta^2 (n-1)(n-2)/(6 w^2)$;
# - **round-off**: $w + \Delta$ is rounded to float64, an error of about $\varepsilon w$ with
#   $\varepsilon = 2.2 \times 10^{-16}$; it changes $y$ by $y' \varepsilon w$, and dividing by
#   $\Delta$ gives a relative error of about $\varepsilon w / \Delta$, which *grows* as
#   $\Delta$ shrinks.
#
# The sum is smallest where the two balance: $\Delta^\star \approx \sqrt{2 \varepsilon w^2/(n-1)}$
# (forward) and $\Delta^\star \approx \big(3 \varepsilon w^3/((n-1)(n-2))\big)^{1/3}$
# (central). For $n = 1000$ the truncation terms are $n$ and $n^2$ times larger than for
# $n = 1$, so the best step is smaller and the best error is worse.

# %%
w0 = 1.01
eps64 = np.finfo(np.float64).eps
steps = np.logspace(-15, -1, 57)
err_fwd = difference_errors(w0, steps, n, kind="forward")
err_cen = difference_errors(w0, steps, n, kind="central")
model_fwd = 0.5 * steps * (n - 1) / w0 + eps64 * w0 / steps
model_cen = steps**2 * (n - 1) * (n - 2) / (6 * w0**2) + eps64 * w0 / steps
best_fwd = np.sqrt(2 * eps64 * w0**2 / (n - 1))
best_cen = (3 * eps64 * w0**3 / ((n - 1) * (n - 2))) ** (1 / 3)

fig, ax = plt.subplots(figsize=(9, 4.6))
ax.loglog(steps, err_cen, "s", ms=4, color=style.COLORS["vermillion"],
          label="central difference (measured)")
ax.loglog(steps, err_fwd, "o", ms=7, mfc="none", mew=1.5, color=style.COLORS["blue"],
          label="forward difference (measured)")
ax.loglog(steps, model_fwd, "-", lw=1.5, color=style.COLORS["blue"], alpha=0.6,
          label=r"model: $\frac{1}{2}\Delta (n-1)/w + \varepsilon w/\Delta$")
ax.loglog(steps, model_cen, "--", lw=1.5, color=style.COLORS["vermillion"], alpha=0.8,
          label=r"model: $\Delta^2 (n-1)(n-2)/(6w^2) + \varepsilon w/\Delta$")
for best, colour in ((best_fwd, style.COLORS["blue"]), (best_cen, style.COLORS["vermillion"])):
    ax.axvline(best, color=colour, lw=1, ls=":")
ax.text(1e-13, 5, "round-off wins", fontsize=12, ha="center")
ax.text(3e-5, 5, "truncation wins", fontsize=12, ha="center")
ax.set_ylim(1e-12, 1e3)
ax.set_xlabel(r"step size $\Delta w$ (log scale)")
ax.set_ylabel(r"relative error of $\Delta y/\Delta w$ (log scale)")
ax.set_title(r"Finite differences of $y = w^{1000}$ at $w = 1.01$")
ax.legend(loc="lower left", fontsize=9.5)
plt.show()

# %% [markdown]
# The measured errors follow the two-term model: a slope of $+1$ (forward) or $+2$
# (central) on the right, where truncation wins, and a slope of $-1$ on the left, where
# round-off wins. (The round-off term is an upper estimate: actual rounding errors partly
# cancel, so the measured points scatter below it, and forward and central coincide there.)
# Check the best steps against the formulas, on a finer sweep:

# %%
fine = np.logspace(-13, -5, 321)
measured_fwd = fine[np.argmin(difference_errors(w0, fine, n, kind="forward"))]
measured_cen = fine[np.argmin(difference_errors(w0, fine, n, kind="central"))]
# (round-off-level numbers: printed to one digit, they depend on the last bits of pow)
print(f"forward: best step {measured_fwd:.0e} (model {best_fwd:.0e}), "
      f"error there {difference_errors(w0, np.array([measured_fwd]), n)[0]:.0e}")
print(f"central: best step {measured_cen:.0e} (model {best_cen:.0e}), "
      f"error there {difference_errors(w0, np.array([measured_cen]), n, kind='central')[0]:.0e}")
assert 0.1 < measured_fwd / best_fwd < 10 and 0.1 < measured_cen / best_cen < 10

# %% [markdown]
# So $\partial y/\partial w \approx \Delta y/\Delta w$ holds — with a step near $10^{-9}$
# (forward) or $10^{-7}$ (central) and at best about eight or ten correct digits. The usual
# default $\Delta = 10^{-4}$ would be 5 % off for the forward difference: the function changes
# by a factor $e^{n\Delta/w}$ across the step. That is one more face of the same problem: a
# quantity that is raised to a high power is extremely sensitive to its base.

# %% [markdown]
# ## 6 · The loss surface: plateaus and a cliff
#
# Give the toy a target: $\hat y = 0.5$, cost $C(w) = (w^n - \hat y)^2$, with
# $$\frac{dC}{dw} = 2\,(w^n - \hat y)\; n\, w^{n-1}.$$
# The minimum is $C = 0$ at $w^\star = \hat y^{1/n} = 0.5^{1/1000} \approx 0.999307$. Left of it,
# $w^n$ is tiny, so $C \approx \hat y^2 = 0.25$ and the slope is almost exactly 0: a
# **plateau**. Right of it, $w^n$ grows like $e^{n(w-1)}$: a **cliff**. "The error surface is
# rough" (Hung-yi Lee, after Pascanu et al. 2013).

# %%
w_star = 0.5 ** (1 / n)
c_star, g_star = power_loss(w_star, n)
c_flat, g_flat = power_loss(0.95, n)
c_cliff, g_cliff = power_loss(1.01, n)
assert float(c_star) < 1e-20 and abs(float(g_star)) < 1e-6  # zero up to round-off
print(f"w* = {w_star:.6f}: C = 0 and dC/dw = 0 (up to round-off)")
print(f"plateau, w = 0.95: C = {float(c_flat):.4g}, dC/dw = {float(g_flat):.3g}")
print(f"cliff,   w = 1.01: C = {float(c_cliff):.4g}, dC/dw = {float(g_cliff):.3g}")
closed_cliff = 2 * (1.01**1000 - 0.5) * 1000 * 1.01**999
assert abs(float(g_cliff) / closed_cliff - 1) < 1e-12 and abs(float(g_flat)) < 1e-19

# %%
w_grid = np.linspace(0.9, 1.006, 2001)
C_grid, G_grid = power_loss(w_grid, n)
fig, (ax_c, ax_g) = plt.subplots(1, 2, figsize=(12, 4.4))
ax_c.plot(w_grid, C_grid, color=style.NEUTRAL)
ax_c.axvline(w_star, color=style.COLORS["green"], ls="--", lw=1.2)
ax_c.set_ylim(-0.02, 1.0)
ax_c.set_xlim(0.97, 1.006)
ax_c.annotate("plateau: C ≈ 0.25,\nslope ≈ 0", (0.975, 0.25), xytext=(0.972, 0.55), fontsize=12,
              arrowprops={"arrowstyle": "->"})
ax_c.annotate("cliff", (1.0003, 0.7), xytext=(0.9905, 0.85), fontsize=12,
              arrowprops={"arrowstyle": "->"})
ax_c.text(w_star, 0.05, r" $w^\star$", color=style.COLORS["green"], fontsize=12)
ax_c.set_xlabel("weight w")
ax_c.set_ylabel(r"cost $C(w) = (w^{1000} - 0.5)^2$")
ax_c.set_title("The loss surface (clipped at C = 1)")
ax_g.semilogy(w_grid, np.abs(G_grid), color=style.NEUTRAL)
ax_g.axvline(w_star, color=style.COLORS["green"], ls="--", lw=1.2)
ax_g.set_xlabel("weight w")
ax_g.set_ylabel(r"slope $|dC/dw|$ (log scale)")
ax_g.text(w_star, 1e-40, r" $w^\star$", color=style.COLORS["green"], fontsize=12)
ax_g.set_title("Its slope spans over 50 orders of magnitude")
plt.show()

# %% [markdown]
# ## 7 · Gradient descent on the rough surface
#
# Gradient descent takes steps $w \leftarrow w - \eta\, dC/dw$ with a fixed learning rate
# $\eta$. The step length is $\eta |dC/dw|$, and $|dC/dw|$ ranges from $10^{-40}$ to
# $10^{12}$ on this surface. Five runs of 1000 steps (`helpers.landscape.descend`, which stops
# when a step leaves float64's range):

# %%
runs = {
    "A: plateau, large η": (0.95, 1e-4),
    "B: near w*, small η": (0.995, 1e-8),
    "C: near w*, large η": (0.995, 1e-4),
    "D: on the cliff, large η": (1.002, 1e-4),
    "E: on the cliff, small η": (1.002, 1e-8),
}
results = {}
print(f"{'run':26s} {'w0':>6s} {'η':>6s} {'steps':>5s} {'final w':>11s} {'final C':>10s}")
for name, (start, lr) in runs.items():
    r = descend(start, lr=lr, steps=1000, n=n)
    results[name] = r
    note = "  overflow: stopped" if r["stopped"] else ""
    print(f"{name:26s} {start:6.3f} {lr:6.0e} {len(r['w']) - 1:5d} {r['w'][-1]:11.6g} "
          f"{r['loss'][-1]:10.3g}{note}")

assert results["A: plateau, large η"]["w"][-1] == 0.95  # stuck: every step is below 1e-20
assert abs(results["E: on the cliff, small η"]["w"][-1] - w_star) < 1e-5  # converges
assert results["D: on the cliff, large η"]["stopped"]  # thrown off to w ≈ −9: w^1000 = inf
assert results["C: near w*, large η"]["w"][-1] < 0  # overshoots onto the cliff, flung away

# %% [markdown]
# The descent loop itself is three lines — gradient, step, repeat:

# %%
w, lr = 1.002, 1e-8
for _ in range(3):
    C, dC = power_loss(w, n)
    w = float(w - lr * dC)
    print(f"C = {float(C):8.4g}, dC/dw = {float(dC):10.4g} -> w = {w:.6f}")

# %%
fig, ax = plt.subplots(figsize=(10, 4.8))
styles = ["-", "--", "-.", ":", "-"]
colours = [style.VANISH, style.COLORS["sky"], style.COLORS["orange"], style.EXPLODE,
           style.COLORS["green"]]
for (name, r), ls, colour in zip(results.items(), styles, colours, strict=True):
    k = np.arange(1, len(r["w"]) + 1)  # step k + 1, so that a log axis can start at step 0
    ax.plot(k, r["w"], ls=ls, color=colour, marker="o", ms=4, markevery=0.1, label=name)
    if r["w"][-1] < 0.94:  # thrown off the axes: say where it went
        inside = np.nonzero(r["w"] >= 0.94)[0][-1]
        ax.annotate(f"next: w = {r['w'][inside + 1]:.3g}", (k[inside], r["w"][inside]),
                    xytext=(k[inside] * 1.6, r["w"][inside] - 0.012), color=colour, fontsize=11,
                    arrowprops={"arrowstyle": "->", "color": colour})
ax.axhline(w_star, color=style.NEUTRAL, lw=1, ls=":")
ax.text(1001, w_star, r"$w^\star$ ", ha="right", va="bottom", fontsize=12)
ax.set_xscale("log")
ax.set_ylim(0.94, 1.006)
ax.set_xlim(0.9, 1001)
ax.set_xlabel("gradient descent step k + 1 (log scale)")
ax.set_ylabel(r"weight $w_k$")
ax.set_title("Fixed learning rate on the $w^{1000}$ surface: stuck, crawling, or thrown away")
ax.legend(loc="lower right", fontsize=10)
plt.show()

# %% [markdown]
# No single learning rate works. $\eta = 10^{-4}$ moves from $0.995$ quickly — and then
# overshoots, lands on the cliff and is flung to $w < 0$ (run C); from the cliff it jumps to
# $w \approx -9$, where $w^{1000}$ overflows (run D). $\eta = 10^{-8}$ is safe on the cliff
# (run E) but crawls from $0.995$ (run B), and on the plateau nothing helps (run A): the
# gradient is about $6 \times 10^{-20}$, and $\eta$ times it is below the spacing of
# float64 numbers near 0.95, so $w$ does not change at all. The exploding side has a simple remedy — **cap the length of the
# step** when the gradient is huge, which is gradient clipping (notebook 04). The vanishing
# side has no such fix: a gradient of $10^{-20}$ carries no usable direction, which is why
# notebooks 05 and 06 change the model instead.

# %% [markdown]
# ## 8 · Explorer: $y = w^n$ for any $w$ and $n$
#
# Left: $y = w^n$ against $w$; right: its derivative $n w^{n-1}$, both on log axes; the dot
# is the current $w$. Grey shading marks where float64 underflows to exactly 0 (a ▼ on the
# bottom edge marks a value of exactly 0).
#
# **Predict, then slide:**
# 1. With $n = 1000$, how far above 1 must $w$ go for $y$ to reach 10? And 1000?
# 2. Below which $w$ does $w^{1000}$ underflow to 0?
# 3. With $n = 10$, is the toy still dangerous? What about $n = 100$?

# %%
power_explorer = ALL["nb02.power_toy"]()
power_explorer

# %% [markdown]
# **Check your predictions.** $w^n = 10^k$ at $w = 10^{k/n}$: $y = 10$ at $w = 1.0023$ and
# $y = 1000$ at $w = 1.0069$ — well inside one slider step of 0.01. Underflow: $w^{1000}$
# drops below $4.9 \times 10^{-324}$ for $w < (4.9 \times 10^{-324})^{1/1000} \approx 0.475$.
# At $n = 10$ the curve is gentle: $1.01^{10} = 1.10$; the danger grows with the number of
# steps.

# %%
w_10, w_1000 = 10 ** (1 / n), 10 ** (3 / n)
w_under = 10 ** (np.log10(5e-324) / n)
print(f"y = 10 at w = {w_10:.4f}; y = 1000 at w = {w_1000:.4f}; underflow below w = {w_under:.4f}")
assert abs(float(toys.power(w_10, n)[0]) - 10) < 1e-9
assert toys.power(w_under * 0.999, n)[0] == 0.0 and toys.power(w_under * 1.001, n)[0] > 0.0
print(f"n = 10: 1.01^10 = {1.01**10:.4g}, 0.99^10 = {0.99**10:.4g}; "
      f"n = 100: 1.01^100 = {1.01**100:.4g}, 0.99^100 = {0.99**100:.4g}")
power_explorer.update(w=0.99, n=1000)

# %% [markdown]
# ## Exercises
#
# ### Exercise 2: the central difference
#
# Write `central_difference(f, w, dw)` that
# returns $\big(f(w + \Delta w) - f(w - \Delta w)\big) / (2\Delta w)$. The checker tries it on
# $w^3$, $\sin$, $w^{1000}$ and $\exp$, and recognises the usual mistakes.

# %%
def central_difference(f, w: float, dw: float) -> float:
    ### BEGIN SOLUTION
    return (f(w + dw) - f(w - dw)) / (2 * dw)
    ### END SOLUTION


central_difference = ex02.check_central_difference(central_difference)

# %% [markdown]
# ### Exercise 3: think
#
# A linear RNN has $\alpha = 0.95$. How many steps back can an
# input lie before its gradient is $10^{-6}$ of a fresh one? (Answer: $6/|\log_{10} 0.95|
# \approx 269.3$, so from 270 steps on.) Would doubling the hidden-state size change this? (Not for a scalar
# recurrence; in notebook 03 the eigenvalues of $W_h$ play the role of $\alpha$.)

# %%
steps_needed = int(np.ceil(6 / abs(np.log10(0.95))))
assert toys.linear_gain(0.95, steps_needed)[-1] < 1e-6 < toys.linear_gain(0.95, steps_needed - 1)[-1]
print(f"0.95^t < 1e-6 from t = {steps_needed}")

# %% [markdown]
# ## Summary
#
# - In the linear RNN $h_t = \alpha h_{t-1} + x_t$, the gradient reaching an input $t$ steps
#   back is exactly $\alpha^t$: it vanishes for $|\alpha| < 1$ and explodes for $|\alpha| > 1$,
#   geometrically — one decimal digit every $1/|\log_{10}\alpha|$ steps.
# - Small differences per step become huge over many steps: $1.01^{365} = 37.8$,
#   $0.99^{365} = 0.03$; $1.01^{1000} \approx 20\,959$, $0.99^{1000} \approx 4.3 \times 10^{-5}$,
#   and $0.01^{1000}$ is exactly 0 in float64 (below $4.9 \times 10^{-324}$).
# - $\partial y/\partial w \approx \Delta y/\Delta w$ holds only for a well-chosen step: too
#   large and truncation wins, too small and round-off wins; for $w^{1000}$ the best forward
#   step is about $10^{-9}$.
# - Such models have loss surfaces with plateaus (gradient $\approx 0$) beside cliffs
#   (gradient $\approx 10^{12}$); a fixed learning rate either stalls or is thrown away.
#   Clipping the step (notebook 04) tames the cliffs; the plateaus need a different model.
#
# Next: **[03 · Jacobians and eigenvalues](03_jacobians_and_eigenvalues.ipynb)** — the same
# story with a hidden *vector*, a matrix $W_h$ and a nonlinearity.
#
# ## References
#
# - Hochreiter, S. (1991). *Untersuchungen zu dynamischen neuronalen Netzen* (diploma thesis,
#   TU München) — the first analysis of vanishing gradients.
# - Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with
#   gradient descent is difficult. *IEEE Transactions on Neural Networks* 5(2), 157–166.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent
#   neural networks. *ICML 2013*.
# - Krähenbühl, P. & Wu, C.-Y. (2019). *Training recurrent networks* (lecture slides; the
#   linear RNN and $\alpha^t$).
# - Lee, H.-y. *Training Recurrent Neural Network* (lecture slides; the toy $y = w^{1000}$,
#   $\partial y/\partial w \approx \Delta y/\Delta w$, the rough error surface).
# - Long, L. *RNN 训练难题* (difficulties of training RNNs, lecture slides;
#   $1.01^{365}$ and $0.99^{365}$).
# - Goldberg, D. (1991). What every computer scientist should know about floating-point
#   arithmetic. *ACM Computing Surveys* 23(1), 5–48.
