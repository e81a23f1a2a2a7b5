# %% [markdown]
# # 02 · Vanishing and exploding gradients: two scalar toys
#
# Backpropagation through time multiplies one factor per time step (notebook 01). Here
# that idea is bare: a network with **one number** as its state, and a toy with one weight.
# Multiply by a number a little below 1 many times and the gradient *vanishes*; a little
# above 1 and it *explodes*. Both toys are solved exactly and show the whole problem.
#
# **You will learn**
# - why the gradient of the linear RNN $h_t = \alpha h_{t-1} + x_t$ reaching an input
#   $t - k$ steps back is exactly $\alpha^{t-k}$, and after how many steps it has vanished
#   or exploded by a given factor (the *gain horizon*, Exercise 2);
# - why Hung-yi Lee's $y = w^{1000}$ is $\approx 0$, $1$ and $20\,000$ for $w = 0.99$, $1$
#   and $1.01$, and where float64 rounds it to exactly 0;
# - why its loss surface has plateaus and cliffs, so no fixed learning rate works from
#   every start: the motivation for clipping (notebook 04);
# - why vanishing means tiny terms inside a sum of large ones, which no rescaling recovers,
#   and when float arithmetic drops such a term altogether (Exercise 3).

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers import style, toys
from helpers.exercises import nb02 as ex02
from helpers.explorers import ALL
from helpers.landscape import descend, difference_errors, power_loss

style.use()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · The linear RNN and its gain $\alpha^{t-k}$
#
# Take the simplest recurrent network (Krähenbühl & Wu's example): one number of state, no
# nonlinearity, recurrent weight $\alpha$, input weight 1. With the course's indexing ($h_0$
# the initial state, $x_1$ the first input),
# $$h_t = \alpha\, h_{t-1} + x_t, \qquad h_0 = 0 .$$
# Unrolled, $h_t$ is a weighted sum of all inputs so far:
# $$h_t = x_t + \alpha x_{t-1} + \dots + \alpha^{t-1} x_1 = \sum_{k=1}^{t} \alpha^{t-k} x_k,
#   \qquad\text{so}\qquad \frac{\partial h_t}{\partial x_k} = \alpha^{t-k} :$$
# each of the $t - k$ steps from $k$ to $t$ contributes one factor
# $\partial h_i / \partial h_{i-1} = \alpha$. What matters is the **lag** $t - k$. A nonzero
# $h_0$ adds $\alpha^t h_0$, so $\partial h_t/\partial h_0 = \alpha^t$ (Krähenbühl & Wu write
# $\partial h_t/\partial x_0 = \alpha^t$ with $x_0$ the first input: indices shifted by one).
#
# **Check it** with central differences ($x_1$, then $h_0$, nudged by $\pm 10^{-6}$) against
# `toys.linear_gain(alpha, T)`, which is `np.power(alpha, np.arange(T + 1))`:

# %%
def run_linear_rnn(alpha: float, xs: np.ndarray, h0: float = 0.0) -> np.ndarray:
    """h_t = alpha * h_{t-1} + x_t for t = 1..T from h_0; xs = [x_1, ..., x_T].

    Returns [h_0, h_1, ..., h_T] (index t holds h_t)."""
    h, out = h0, [h0]
    for x in xs:
        h = alpha * h + x
        out.append(h)
    return np.array(out)


rng = np.random.default_rng(0)
xs = rng.normal(size=50)  # x_1 ... x_50: xs[k - 1] is x_k
eps = 1e-6
print(" alpha   t  t-k   finite difference   alpha^(t-k)")
for alpha in (0.9, 1.0, 1.1):
    up, down = xs.copy(), xs.copy()
    up[0] += eps  # x_1
    down[0] -= eps
    fd = (run_linear_rnn(alpha, up) - run_linear_rnn(alpha, down)) / (2 * eps)
    gain = toys.linear_gain(alpha, 50)  # gain[lag] = alpha^lag
    for t in (2, 11, 50):
        assert abs(fd[t] - gain[t - 1]) / abs(gain[t - 1]) < 1e-7
        print(f"{alpha:6.2f} {t:3d} {t - 1:4d}   {fd[t]:17.6g}  {gain[t - 1]:12.6g}")
    fd_h0 = (run_linear_rnn(alpha, xs, eps)[50] - run_linear_rnn(alpha, xs, -eps)[50]) / (2 * eps)
    print(f"{'':6s}  dh_50/dh_0 = {fd_h0:.6g}, alpha^50 = {gain[50]:.6g}")
    assert abs(fd_h0 / gain[50] - 1) < 1e-7
print("all relative errors < 1e-7")

# %% [markdown]
# ## 2 · $1.01^{365}$ and $0.99^{365}$
#
# Long Liangqu's lecture: improve by 1 % a day for a year, or slack off by 1 % a day. Read
# $\alpha$ as the factor a gradient picks up per step: two factors 2 % apart end up over a
# thousand-fold apart, since
# $\alpha^t = e^{t \ln \alpha}$ and $\alpha = 1 \pm \delta$ behaves like $e^{\pm \delta t}$.

# %%
up_year, down_year = 1.01**365, 0.99**365
print(f"1.01^365 = {up_year:.4g} (exp(365 ln 1.01) = {np.exp(365 * np.log(1.01)):.4g}), "
      f"0.99^365 = {down_year:.4g}, ratio {up_year / down_year:.4g}")
assert round(up_year, 1) == 37.8 and round(down_year, 3) == 0.026 and up_year / down_year > 1000

# %% [markdown]
# ## 3 · Explorer: the gain $\alpha^{t-k}$ over a long horizon
#
# The explorer draws $|\alpha^{t-k}|$ against the lag $t - k = 0 \dots T$ on a log axis
# (orange: exploding, blue: vanishing). Text boxes report when float64 (Goldberg 1991) gives
# up: `inf` beyond $1.8 \times 10^{308}$, exactly 0 below half of $4.9 \times 10^{-324}$
# (underflow).
#
# **Predict, then slide:**
# 1. At $\alpha = 0.9$, from which lag is the gain below $10^{-3}$? Below $10^{-10}$?
# 2. At $T = 1000$, does $\alpha = 1.5$ overflow float64? Which $\alpha$ would?
# 3. At $\alpha = 0.01$, from which lag is the gain exactly 0?
# 4. What happens at $\alpha = 1$? How far apart are $\alpha = 0.98$ and $1.02$ at $T = 1000$?

# %%
gain_explorer = ALL["nb02.alpha_horizon"]()
gain_explorer

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# 1. Below $10^{-3}$ from lag 66, below $10^{-10}$ from lag 219: a decimal digit every
#    21.9 steps (text box; 3 × 21.9 ≈ 66). Exercise 2 makes this a rule for every $\alpha$.
# 2. $1.5^{1000} \approx 1.2 \times 10^{176}$ does not overflow; $2.03^{1000}$ is finite,
#    $2.04^{1000}$ is `inf`.
# 3. A tiny subnormal at lag 161, exactly 0 from lag 162.
# 4. At $\alpha = 1$ the gain stays 1; $1.02^{1000}$ is about $2.4 \times 10^{17}$ times
#    $0.98^{1000}$.
#
# </details>

# %%
g = toys.linear_gain(0.9, 300)
lag_3, lag_10 = int(np.argmax(g < 1e-3)), int(np.argmax(g < 1e-10))  # first lag below
assert (lag_3, lag_10) == (66, 219) and g[65] >= 1e-3 and g[218] >= 1e-10
per_digit = 1 / -np.log10(0.9)  # the text box's steps per decimal digit: 21.9
assert round(per_digit, 1) == 21.9 and np.ceil(np.array([3, 10]) * per_digit).tolist() == [66, 219]
print(f"1. alpha = 0.9: gain < 1e-3 from lag {lag_3}, < 1e-10 from lag {lag_10}")
g15, g203, g204 = (toys.linear_gain(a, 1000)[-1] for a in (1.5, 2.03, 2.04))
assert np.isfinite(g15) and np.isfinite(g203) and np.isinf(g204)
alpha_slider = gain_explorer.controls["alpha"]  # can the slider show 2.04? on its grid, in range
assert alpha_slider.max >= 2.04 and abs(round(2.04 / alpha_slider.step) * alpha_slider.step - 2.04) < 1e-9
print(f"2. 1.5^1000 = {g15:.3g}; 2.03^1000 = {g203:.3g}; 2.04^1000 = {g204}")
g001 = toys.linear_gain(0.01, 1000)
first_zero = int(np.argmax(g001 == 0.0))
assert first_zero == 162 and g001[161] > 0
print(f"3. alpha = 0.01: 0.01^161 = {g001[161]:.3g} (a subnormal), 0.01^162 = {g001[162]}")
ratio = toys.linear_gain(1.02, 1000)[-1] / toys.linear_gain(0.98, 1000)[-1]
assert np.all(toys.linear_gain(1.0, 1000) == 1.0) and 2.3e17 < ratio < 2.5e17
print(f"4. alpha = 1: gain exactly 1 at every lag; 1.02^1000 / 0.98^1000 = {ratio:.3g}")

# %% [markdown]
# ## 4 · The toy $y = w^n$ with $n = 1000$
#
# Hung-yi Lee's lecture multiplies an input 1 by one shared weight $w$ at each of 1000
# steps (his slide, up to one factor of $w$):
# $$y = w^{n}, \qquad n = 1000, \qquad \frac{\partial y}{\partial w} = n\,w^{n-1}.$$
# It is the linear RNN with $\alpha = w$, $h_0 = 1$ and zero inputs (checked below). A cost
# $C(y)$ has gradient $C'(y)\, \partial y/\partial w$, and the second factor is the trouble.
# Lee feels a gradient's size by $\partial y/\partial w \approx \Delta y/\Delta w$.
#
# ### Exercise 1: predict first
#
# Before running the table, predict $0.99^{1000}$ to within 10 % (hint:
# $\ln 0.99 \approx -0.01$), and return it from the function.

# %%
def predict_099_1000() -> float:
    ### BEGIN SOLUTION
    return float(np.exp(-10.05))
    ### END SOLUTION


_ = ex02.check_predict_099_1000(predict_099_1000)

# %% [markdown]
# The table: $y$, the exact derivative, Lee's $\Delta y/\Delta w$ ($\Delta w = 10^{-9}$; which
# $\Delta w$ to use: Going further) and the true $\log_{10} y = n \log_{10} w$.

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
assert abs(y_table[1] / y_table[2] / 4.855e8 - 1) < 1e-3  # a factor 4.9e8 for 2 % in w
# y = h_n of the linear RNN from h_0 = 1 with all inputs 0
assert abs(run_linear_rnn(1.01, np.zeros(n), h0=1.0)[n] / y_table[1] - 1) < 1e-12

# %% [markdown]
# - $w = 1.01$: $y \approx 20\,959$ (Lee's "≈ 20000"), gradient $2.1 \times 10^{7}$: a
#   learning rate that suits $w = 1$ (gradient 1000) throws this weight far away.
# - $w = 0.99$: $y \approx 4.3 \times 10^{-5}$ ("≈ 0"), gradient $0.04$. A change of 2 % in
#   $w$ changes $y$ by a factor of about $4.9 \times 10^{8}$.
# - $w = 0.01$: the true $10^{-2000}$ is below half the smallest float64, so it is stored as
#   **exactly 0**, and so is the gradient: gradient descent cannot move $w$.

# %% [markdown]
# ## 5 · The loss surface: plateaus and a cliff
#
# Give the toy a target $\hat y = 0.5$: cost $C(w) = (w^n - \hat y)^2$,
# $dC/dw = 2\,(w^n - \hat y)\, n\, w^{n-1}$, minimum $C = 0$ at
# $w^\star = 0.5^{1/1000} \approx 0.999307$. Well left of it $w^n$ is tiny, so
# $C \approx 0.25$ and the slope is nearly 0 ($-6 \times 10^{-20}$ at $w = 0.95$): a
# **plateau**, which ends before $w^\star$ (slope $-6.6$ at $0.995$). Right of $w^\star$,
# $w^n \approx e^{n(w-1)}$ grows without bound: a **cliff**. "The error surface is rough"
# (Hung-yi Lee, after Pascanu et al. 2013).

# %%
w_star = 0.5 ** (1 / n)
c_star, g_star = power_loss(w_star, n)
c_flat, g_flat = power_loss(0.95, n)
c_cliff, g_cliff = power_loss(1.01, n)
assert float(c_star) < 1e-20 and abs(float(g_star)) < 1e-6  # zero up to round-off
closed_cliff = 2 * (1.01**1000 - 0.5) * 1000 * 1.01**999
assert abs(float(g_cliff) / closed_cliff - 1) < 1e-12 and abs(float(g_flat)) < 1e-19
print(f"w* = {w_star:.6f}: C = 0 and dC/dw = 0 (up to round-off)")
print("     w      w^1000         C        dC/dw")
for w_row in (0.95, 0.99, 0.995, 0.999, 1.01):
    c_row, g_row = power_loss(w_row, n)
    print(f"{w_row:6.3f} {w_row**n:11.3g} {float(c_row):9.4g} {float(g_row):12.3g}")
assert 0.99**n < 1e-4 and abs(0.995**n - 0.0067) < 1e-4 and abs(0.999**n - 0.37) < 0.005
assert abs(float(power_loss(0.995, n)[1]) + 6.6) < 0.05

# %%
w_grid = np.sort(np.r_[np.linspace(0.9, 1.006, 2001), w_star])  # w* itself: the slope's zero
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
# ## 6 · No fixed learning rate fits the rough surface
#
# Gradient descent steps $w \leftarrow w - \eta\, dC/dw$. On the plotted range the step
# length $\eta |dC/dw|$ varies by a factor $10^{51}$ ($|dC/dw|$ from $1.9 \times 10^{-43}$ at
# $w = 0.9$ to $3.1 \times 10^{8}$ at $1.006$, apart from its zero at $w^\star$). Sweep 17
# learning rates $\eta = 10^{-16}, \dots, 1$ from five starts, 1000 steps each, all 85 runs in
# one array (✓: within $10^{-4}$ of $w^\star$; "overflow": $w$ or $w^{1000}$ left float64):

# %%
away = np.abs(w_grid - w_star) > 1e-3  # the plotted grid without the dip at w*
G_abs = np.abs(G_grid[away])
assert abs(G_abs.min() / 1.9e-43 - 1) < 0.03 and abs(G_abs.max() / 3.1e8 - 1) < 0.03
assert 1e51 < G_abs.max() / G_abs.min() < 1e52  # the step length varies by a factor 10^51
sweep_lr = 10.0 ** np.arange(-16, 1)  # 17 learning rates, one per row
sweep_w0 = np.array([0.95, 0.99, 0.995, 1.002, 1.01])  # five starts, one per column
w_sw = np.tile(sweep_w0, (sweep_lr.size, 1))
with np.errstate(over="ignore", invalid="ignore"):
    for _ in range(1000):  # all 85 runs at once: w <- w - η dC/dw (inf/nan once it overflows)
        w_sw = w_sw - sweep_lr[:, None] * 2 * (w_sw**n - 0.5) * n * w_sw ** (n - 1)
    overflow = ~np.isfinite(w_sw) | ~np.isfinite(w_sw**n)
converged = ~overflow & (np.abs(w_sw - w_star) < 1e-4)
print("   η    " + "".join(f"w0 = {w0:<7}" for w0 in sweep_w0))
for i, lr in enumerate(sweep_lr):
    cells = ["✓" if c else "overflow" if o else f"{w:.4g}"
             for c, o, w in zip(converged[i], overflow[i], w_sw[i], strict=True)]
    print(f"{lr:7.0e} " + "".join(f"{c:12s}" for c in cells))
ok = {float(w0): sweep_lr[converged[:, j]].tolist() for j, w0 in enumerate(sweep_w0)}
assert ok[0.995] == [1e-6] and ok[1.002] == [1e-8] and not (ok[0.95] or ok[0.99] or ok[1.01])
assert np.all(w_sw[:, 0] == 0.95)  # the plateau start never moves, whatever η

# %% [markdown]
# No $\eta$ converges from both $0.995$ and $1.002$ (only $10^{-6}$ from $0.995$, only
# $10^{-8}$ from $1.002$), and none moves $w$ from $0.95$. The exploding side's remedy:
# **cap the step's length**, gradient clipping (notebook 04).
#
# ## 7 · Vanishing: tiny terms inside a sum
#
# Is the plateau's gradient of $6 \times 10^{-20}$ useless? No: its *sign* is right
# wherever float64 keeps it from 0 (down to $w \approx 0.4744$). **Sign
# descent**, $w \leftarrow w - \delta\,\mathrm{sign}(dC/dw)$, crosses the plateau from 0.95
# in 200 steps of $2.5 \times 10^{-4}$ (RMSProp does too: Going further).

# %%
w_left = np.linspace(0.4744, w_star, 100_001)[:-1]
assert np.all(power_loss(w_left, n)[1] < 0) and power_loss(0.4743, n)[1] == 0  # sign right
w_sign = 0.95
for _ in range(200):
    w_sign -= 2.5e-4 * np.sign(float(power_loss(w_sign, n)[1]))
assert abs(w_sign - w_star) < 2.5e-4
print(f"sign descent from 0.95: w = {w_sign:.5f} after 200 steps (w* = {w_star:.5f}); "
      "dC/dw < 0 for all 0.4744 <= w < w*, exactly 0 at w = 0.4743")

# %% [markdown]
# But an RNN's gradient is a **sum over time**, one term per loss step $t$ and earlier step
# $k$ (Pascanu et al. 2013, §2, eqs. 3–5):
# $$\frac{\partial L}{\partial \theta} = \sum_{t} \sum_{k \le t}
#   \frac{\partial \ell_t}{\partial h_t}\, \frac{\partial h_t}{\partial h_k}\,
#   \frac{\partial^+ h_k}{\partial \theta}$$
# ($\partial^+$: through step $k$ alone). Long-range terms carry $\partial h_t/\partial h_k$,
# a product of $t - k$ factors like $\alpha^{t-k}$; short-range terms have ordinary sizes,
# and the optimizer sees only their sum. Rescaling it — one factor for the whole gradient,
# or one per coordinate (sign descent; RMSProp and Adam on a steady gradient) — scales both
# shares alike, so the short-range terms set the direction. Learning distant dependencies
# is then not impossible but slow: their signal tends to be hidden by the smallest
# fluctuations of the short-range terms (Goodfellow et al. 2016, §10.7; Hochreiter 1991;
# Bengio, Simard & Frasconi 1994). Remedies change the model (notebook 05), its
# initialisation (notebook 06), or add a regulariser (Pascanu et al. 2013, §3.3). The cell
# builds three-weight gradients: a short-range term and a long-range one $10^{15}$ times
# smaller ($0.9^{330} \approx 10^{-15}$).

# %%
rng = np.random.default_rng(1)
g_short = rng.normal(size=3)  # what the recent steps ask of three weights
g_long = rng.normal(size=3)  # what a step far back asks: another direction …
g_long *= 1e-15 * np.linalg.norm(g_short) / np.linalg.norm(g_long)  # … 10^15 times smaller
assert abs(330 * np.log10(0.9) + 15) < 0.2  # 0.9^330 ≈ 1e-15
rescalings = {  # what the step is, given the gradient g the optimizer sees
    "none (plain gradient)": lambda g: g,
    "unit norm (one factor)": lambda g: g / np.linalg.norm(g),
    "sign (one factor per coordinate)": np.sign,
}


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


print(f"{'rescaling':33s} {'g_long alone:':>18s}   {'g_short + g_long: the step':>27s}")
print(f"{'':33s} {'cos(step, g_long)':>18s}   {'differs from g_short alone':>27s}")
for name, rescale in rescalings.items():
    alone = rescale(g_long)  # one term: the rescaled step follows it
    both, short_only = rescale(g_short + g_long), rescale(g_short)
    change = np.linalg.norm(both - short_only) / np.linalg.norm(short_only)
    assert cosine(alone, g_long) > 0.5 and change < 2e-15
    print(f"{name:33s} {cosine(alone, g_long):18.2f}   {'< 2e-15 (relative)':>27s}")
tiny = g_short + 1e-20 * g_long / np.linalg.norm(g_long)  # a term of the toy's size
assert np.array_equal(tiny, g_short)  # below float64's resolution: not even stored
print("a term 1e-20 of the others: g_short + g_long == g_short exactly in float64")

# %% [markdown]
# Alone, the long-range term sets the rescaled step; added to the short-range term, it
# changes it by under $2 \times 10^{-15}$. A term $10^{-20}$ times the others
# is not even stored (Exercise 3 finds the edge).
#
# ## 8 · Explorer: $y = w^n$ across $w$ and $n$
#
# $y = w^n$ (left) and $n w^{n-1}$ (right), log axes; the dot is $w$. Top: $0 \le w \le 1.11$,
# grey where float64 underflows to 0 (▼: exactly 0). Bottom: a zoom on
# $0.98 \le w \le 1.02$, Lee's $w = 0.99, 1, 1.01$ marked. $w$ is **w** (steps of 0.01)
# **+ fine** (0.0001): $1.0023 = 1.00 + 0.0023$. Arrow keys step the slider clicked.
# **n**: 1 to 10, then 12 per decade.
#
# **Predict, then slide:**
# 1. With $n = 1000$, how far above 1 must $w$ go for $y$ to reach 10? And 1000?
# 2. Below which $w$ does $w^{1000}$ underflow to 0?
# 3. Lee's contrast at $n = 1000$ is $y \approx 0$, $1$, $20\,000$ (zoom). At $n = 100$
#    and $n = 10$: is the toy still dangerous?

# %%
power_explorer = ALL["nb02.power_toy"]()
power_explorer

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# 1. With **w** at 1.00: $y$ passes 10 between **+ fine** $= 0.0023$ and $0.0024$, and 1000
#    between $0.0069$ and $0.0070$, as $w^n = 10^k$ at $w = 10^{k/n} \approx 1 + k\ln 10/n$.
# 2. $0.4746^{1000}$ is stored as exactly 0, $0.4747^{1000}$ is not.
# 3. $n = 100$: $0.37$, $1$, $2.7$; $n = 10$: $0.90$, $1$, $1.10$. The danger grows with the
#    number of steps.
#
# </details>

# %%
coarse, fine_slider = power_explorer.controls["w"], power_explorer.controls["fine"]
assert (coarse.min, coarse.max, coarse.step) == (0, 1.1, 0.01)
assert (fine_slider.min, fine_slider.max, fine_slider.step) == (0, 0.0099, 1e-4)
n_values = list(power_explorer.controls["n"].options)  # 1..10, then 12 per decade
assert n_values[:10] == list(range(1, 11)) and n_values[-1] == 1000 and len(n_values) == 34
assert n_values.index(100) - n_values.index(10) == n_values.index(1000) - n_values.index(100) == 12
# the two sliders' sums: every multiple of 0.0001 from 0 to 1.1099, each once
sums = np.add.outer(np.arange(0, 111) * 0.01, np.arange(100) * 1e-4).ravel()
assert np.allclose(np.sort(sums), np.arange(11_100) * 1e-4, atol=1e-12)
on_grid = np.round(np.arange(1.0, 1.01, 1e-4), 4)  # the values from 1 to 1.01
y_grid = toys.power(on_grid, n)[0]
for y_goal, (w_lo, w_hi) in ((10, (1.0023, 1.0024)), (1000, (1.0069, 1.0070))):
    assert on_grid[np.argmax(y_grid >= y_goal)] == w_hi and toys.power(w_lo, n)[0] < y_goal
    print(f"1. {w_lo:.4f}^1000 = {float(toys.power(w_lo, n)[0]):.4g}, "
          f"{w_hi:.4f}^1000 = {float(toys.power(w_hi, n)[0]):.4g}")
for k in (1, 3):  # w = 10^(k/n) ≈ 1 + k ln(10)/n: within 0.4 % of the distance above 1
    exact, approx = 10 ** (k / n) - 1, k * np.log(10) / n
    assert abs(exact - approx) < 0.004 * exact
    print(f"   10^({k}/1000) - 1 = {exact:.6f}, {k} ln(10)/1000 = {approx:.6f}")
assert toys.power(0.4746, n)[0] == 0.0 < toys.power(0.4747, n)[0]
assert np.float64(3e-324) == 5e-324 and np.float64(2e-324) == 0.0  # round to nearest
print(f"2. 0.4746^1000 = {float(toys.power(0.4746, n)[0])}, "
      f"0.4747^1000 = {float(toys.power(0.4747, n)[0]):.2g}")
for n_lee in (1000, 100, 10):
    print(f"3. n = {n_lee:4d}: 0.99^n = {0.99**n_lee:.3g}, 1^n = 1, 1.01^n = {1.01**n_lee:.4g}")
assert round(1.01**10, 2) == 1.10 and round(0.99**10, 2) == 0.90
assert round(1.01**100, 1) == 2.7 and round(0.99**100, 2) == 0.37

# %% [markdown]
# ## Exercises
#
# ### Exercise 2: the gain horizon $\ell(\alpha, m)$
#
# Section 3 read horizons off a curve; now derive the rule. For weight $\alpha$
# ($\alpha \ne 0$, $|\alpha| \ne 1$) let $\ell(\alpha, m)$ be the first lag at which the gain
# has changed by $m$ orders of magnitude: $|\alpha|^\ell \le 10^{-m}$ if $|\alpha| < 1$,
# $|\alpha|^\ell \ge 10^{m}$ if $|\alpha| > 1$.
#
# 1. On paper: take logarithms and solve for $\ell$. Mind the sign of $\log|\alpha|$ when
#    you divide by it, the logarithm's base, and that $\ell$ is a whole number. Write one
#    formula for both cases.
# 2. Write `gain_horizon(alpha, m)` for an array `alpha` (shape (K,)), returning K lags, with
#    no loop over lags (some horizons are millions of steps). For $\alpha < 0$ only the
#    size $|\alpha|^\ell$ counts.

# %%
def gain_horizon(alpha: np.ndarray, m: float) -> np.ndarray:
    """The first lag at which |alpha|^lag has shrunk to 10^-m (or grown to 10^m), shape (K,)."""
    ### BEGIN SOLUTION
    return np.ceil(m / np.abs(np.log10(np.abs(alpha))))
    ### END SOLUTION


gain_horizon = ex02.check_gain_horizon(gain_horizon)
print("lags to lose 6 digits at alpha = 0.9, 0.99, 0.999:", gain_horizon(np.array([0.9, 0.99, 0.999]), 6))

# %% [markdown]
# ### Exercise 3: when does float arithmetic drop a long-range term?
#
# A term $10^{-20}$ times the others did not change the sum (section 7). Where is the edge?
#
# (a) Write `lost_power(dtype)`: find **by experiment**, computing in `dtype` (`np.float16`,
# `np.float32` or `np.float64`), the smallest $p \ge 1$ with $1 + 2^{-p} = 1$.
#
# (b) Networks usually train in float32. A short-range term 1 is added to a long-range term
# $0.9^\ell$. From which lag $\ell$ on is it lost entirely in float32? Use (a) and
# Exercise 2.

# %%
def lost_power(dtype: type) -> int:
    """The smallest p >= 1 with dtype(1) + dtype(2) ** -p == dtype(1)."""
    ### BEGIN SOLUTION
    one, p = dtype(1), 1
    while one + dtype(2) ** -p != one:
        p += 1
    return p
    ### END SOLUTION


def lag_lost_float32() -> float:
    ### BEGIN SOLUTION
    p = lost_power(np.float32)
    return float(gain_horizon(np.array([0.9]), p * np.log10(2))[0])
    ### END SOLUTION


lost_power = ex02.check_lost_power(lost_power)
_ = ex02.check_lag_lost_float32(lag_lost_float32)

# %% [markdown]
# Checked in float32 itself: at that lag the sum is exactly 1; one lag earlier it is the
# next float32 above 1.

# %%
one = np.float32(1)
lag = ex02.lag_lost(0.9, 24)
kept, lost = one + np.float32(0.9 ** (lag - 1)), one + np.float32(0.9**lag)
assert lost == one and kept == np.nextafter(one, np.float32(2)) and lag == 158
print(f"float32: 1 + 0.9^{lag - 1} = 1 + {kept - one:.3g}, 1 + 0.9^{lag} = {lost} exactly")

# %% [markdown]
# ## Summary
#
# - In the linear RNN $h_t = \alpha h_{t-1} + x_t$ the gradient reaching $t - k$ steps back
#   is $\alpha^{t-k}$: it vanishes ($|\alpha| < 1$) or explodes ($|\alpha| > 1$)
#   geometrically, $m$ decimal digits in $\lceil m/|\log_{10}|\alpha||\rceil$ steps.
# - Small differences per step become huge: $0.99^{1000} \approx 4.3 \times 10^{-5}$,
#   $1^{1000} = 1$, $1.01^{1000} \approx 20\,959$; $0.01^{1000}$ is exactly 0 in float64.
# - The loss surface has plateaus (slope $6 \times 10^{-20}$) beside cliffs
#   ($8.7 \times 10^{11}$): of 17 fixed learning rates, none converges from both
#   $w_0 = 0.995$ and $1.002$. Clipping (notebook 04) tames the cliffs.
# - In an RNN, long-range terms are *added* to much larger short-range ones and hidden by
#   them; no rescaling of the sum brings them back (Goodfellow et al. 2016, §10.7). In
#   float32 a term of at most $2^{-24}$ added to 1 is not even stored: at a factor 0.9 per
#   step, from lag 158 on.
#
# Next: **[03 · Jacobians and eigenvalues](03_jacobians_and_eigenvalues.ipynb)** — the same
# story with a hidden *vector*, a matrix $W_h$ and a nonlinearity.

# %% [markdown]
# ## Going further
#
# ### Leaky units and echo-state networks
#
# Up to the scale of its input, the linear recurrence of section 1 is the *leaky unit* of
# Goodfellow, Bengio & Courville (2016, §10.9.2, "Leaky Units and a Spectrum of Different
# Time Scales"), $\mu_t = \alpha\, \mu_{t-1} + (1 - \alpha)\, v_t$: a running average of its
# inputs. Its impulse response $\alpha^{\ell} = e^{\ell \ln \alpha}$ falls by a factor $e$
# every $\tau = -1/\ln \alpha$ steps, and for $\alpha$ near 1, $\tau \approx 1/(1 - \alpha)$
# (relative error about $(1 - \alpha)/2$): the unit remembers roughly its last
# $1/(1 - \alpha)$ inputs, about 100 steps for $\alpha = 0.99$. Choosing $\alpha$ chooses a
# time scale; the book uses leaky units with different $\alpha$ to give a network several
# time scales. Echo state networks (same book, §10.8) keep the recurrent weights fixed and
# set their spectral radius — the matrix version of $\alpha$, notebook 03 — to control how
# long the state remembers. Measured on the recurrence itself (input $x_1 = 1$, then zeros):

# %%
print(" alpha   first lag with h <= 1/e   1/(1 - alpha)   -1/ln(alpha)   rel. error of 1/(1-alpha)")
for alpha in (0.9, 0.99, 0.999):
    impulse = run_linear_rnn(alpha, np.r_[1.0, np.zeros(2000)])[1:]  # h_1, h_2, ...: alpha^lag
    first = int(np.argmax(impulse <= np.exp(-1)))
    tau = -1 / np.log(alpha)
    rel = abs(1 / (1 - alpha) - tau) / tau
    print(f"{alpha:6.3f} {first:25d} {1 / (1 - alpha):15.0f} {tau:14.2f} {rel:18.2%}")
    assert first == int(np.ceil(tau)) and abs(rel / ((1 - alpha) / 2) - 1) < 0.1

# %% [markdown]
# ### Which $\Delta w$? The step size of a finite difference
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
# (central). The truncation terms carry the factors $n - 1$ and $(n-1)(n-2)$, which grow like
# $n$ and $n^2$. For $n = 1$, a straight line $y = w$, both are 0 and the difference quotient
# is exact up to round-off; for $n = 3$ they are 2 and 2; for $n = 1000$ they are 999 and
# 997 002, so the best step is smaller and the best error is worse.

# %%
print("    n   n-1   (n-1)(n-2)   rel. error at Δw = 1e-4: forward   central")
for n_check in (1, 3, 1000):
    f_err = difference_errors(1.01, np.array([1e-4]), n_check, kind="forward")[0]
    c_err = difference_errors(1.01, np.array([1e-4]), n_check, kind="central")[0]
    shown = ("< 1e-12", "< 1e-12") if n_check == 1 else (f"{f_err:.2g}", f"{c_err:.2g}")
    print(f"{n_check:5d} {n_check - 1:5d} {(n_check - 1) * (n_check - 2):12d} "
          f"{shown[0]:>31s} {shown[1]:>9s}")
    model = 0.5e-4 * (n_check - 1) / 1.01, 1e-8 * (n_check - 1) * (n_check - 2) / (6 * 1.01**2)
    if n_check == 1:  # no truncation error: round-off only
        assert f_err < 1e-12 and c_err < 1e-12
    else:  # the truncation model, to within 10 % (higher-order terms)
        assert abs(f_err / model[0] - 1) < 0.1 and abs(c_err / model[1] - 1) < 0.1

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
for best, colour, kind, side in ((best_fwd, style.COLORS["blue"], "forward", "right"),
                                 (best_cen, style.COLORS["vermillion"], "central", "left")):
    ax.axvline(best, color=colour, lw=1, ls=":")
    pad = " " if side == "left" else ""
    ax.text(best, 0.1, f"{pad}best Δ (model),\n{pad}{kind}{' ' if side == 'right' else ''}",
            color=colour, fontsize=10.5, ha=side, va="center")
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
# Those two errors are from the single luckiest step of the sweep. Over the window of steps
# within a factor 3 of each model's best step, the measured errors are typically
# $3 \times 10^{-7}$ (forward) and $2 \times 10^{-9}$ (central): about six to seven (forward)
# and eight to nine (central) correct digits; single steps can do better by luck of rounding.

# %%
for kind, best in (("forward", best_fwd), ("central", best_cen)):
    window = fine[(fine > best / 3) & (fine < best * 3)]  # 38 steps, about one decade
    errs = difference_errors(w0, window, n, kind=kind)
    digits = -np.log10(np.median(errs))
    print(f"{kind}: {window.size} steps in [{window[0]:.1e}, {window[-1]:.1e}]: median error "
          f"{np.median(errs):.1g} (range {errs.min():.1g} to {errs.max():.1g}), "
          f"{digits:.1f} correct digits")
    assert (6 < digits < 7) if kind == "forward" else (8 < digits < 9)

# %% [markdown]
# So $\partial y/\partial w \approx \Delta y/\Delta w$ holds — with a step near $10^{-9}$
# (forward) or $10^{-7}$ (central) and then with about six to seven or eight to nine correct
# digits. The usual
# default $\Delta = 10^{-4}$ would be 5 % off for the forward difference: the function changes
# by a factor $e^{n\Delta/w}$ across the step. That is one more face of the same problem: a
# quantity that is raised to a high power is extremely sensitive to its base.
# %% [markdown]
# ### Exercise 4 (going further): the best step for $e^{aw}$
#
# The two-term model holds for any smooth $f$. The forward difference's relative error is
# about $\tfrac12 |f''/f'|\,\Delta$ (truncation) plus $\varepsilon\,(|w| + |f/f'|)/\Delta$
# (round-off: rounding $w + \Delta$ costs $\varepsilon |w|/\Delta$ as above, and rounding the
# values of $f$ costs $\varepsilon |f/f'|/\Delta$, which for $w^{1000}$ is 1000 times smaller
# and was dropped). For $f(w) = e^{aw}$, derive the $\Delta$ that minimises the sum, and
# write `best_forward_step(w, a)` for arrays `w` and `a` of shape (K,), $a \ne 0$, with
# $\varepsilon$ = `np.finfo(np.float64).eps`. The cell after the checker measures the error
# at your step.

# %%
def best_forward_step(w: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The step minimising the forward difference's error model for exp(a w), shape (K,)."""
    ### BEGIN SOLUTION
    eps64 = np.finfo(np.float64).eps
    return np.sqrt(2 * eps64 * (np.abs(w) + 1 / np.abs(a)) / np.abs(a))
    ### END SOLUTION


best_forward_step = ex02.check_best_forward_step(best_forward_step)

# %% [markdown]
# The measured median error over 41 steps within a factor $\sqrt{10}$ of the best step, and
# around steps 100 times smaller and larger, for three $(w, a)$:

# %%
w_ex, a_ex = np.array([1.0, -2.0, 0.5]), np.array([5.0, 0.3, -40.0])
best_ex = best_forward_step(w_ex, a_ex)
model_ex = 0.5 * np.abs(a_ex) * best_ex + eps64 * (np.abs(w_ex) + 1 / np.abs(a_ex)) / best_ex
medians = {}
for scale in (0.01, 1.0, 100.0):
    span = best_ex[:, None] * scale * np.logspace(-0.5, 0.5, 41)
    f_w = np.exp(a_ex * w_ex)[:, None]
    quotient = (np.exp(a_ex[:, None] * (w_ex[:, None] + span)) - f_w) / span
    medians[scale] = np.median(np.abs(quotient / (a_ex[:, None] * f_w) - 1), axis=1)
assert np.all((0.2 * model_ex < medians[1.0]) & (medians[1.0] < 2 * model_ex))
assert np.all(medians[0.01] > 5 * medians[1.0]) and np.all(medians[100.0] > 5 * medians[1.0])
# (round-off-level numbers: printed as the bounds just asserted)
for i in range(3):
    print(f"w = {w_ex[i]:4.1f}, a = {a_ex[i]:5.1f}: best step {best_ex[i]:.1e}, model error "
          f"{model_ex[i]:.0e}; measured median between 0.2 and 2 times the model, "
          "more than 5 times larger at step / 100 and step × 100")

# %% [markdown]
# ### Five runs of gradient descent, step by step
#
# Section 6 swept 17 learning rates and printed where each run ended. Five of those runs
# again, with `helpers.landscape.descend` (1000 steps; it stops when a step leaves
# float64's range), with $w$ after 1, 10 and 100 steps:

# %%
runs = {
    "A: plateau, large η": (0.95, 1e-4),
    "B: near w*, small η": (0.995, 1e-8),
    "C: near w*, large η": (0.995, 1e-4),
    "D: on the cliff, large η": (1.002, 1e-4),
    "E: on the cliff, small η": (1.002, 1e-8),
}
results = {}
print(f"{'run':26s} {'w0':>6s} {'η':>6s} {'w after 1':>10s} {'10':>9s} {'100':>9s} "
      f"{'steps':>5s} {'final w':>9s} {'final C':>9s}")
for name, (start, lr) in runs.items():
    r = descend(start, lr=lr, steps=1000, n=n)
    results[name] = r
    path = [f"{r['w'][k]:9.6g}" if k < len(r["w"]) else f"{'—':>9s}" for k in (1, 10, 100)]
    note = "  overflow: stopped" if r["stopped"] else ""
    print(f"{name:26s} {start:6.3f} {lr:6.0e} {' '.join(path)} {len(r['w']) - 1:5d} "
          f"{r['w'][-1]:9.6g} {r['loss'][-1]:9.3g}{note}")

assert results["A: plateau, large η"]["w"][-1] == 0.95  # stuck: every step is below 1e-20
assert abs(results["E: on the cliff, small η"]["w"][-1] - w_star) < 1e-5  # converges
assert results["D: on the cliff, large η"]["stopped"]  # thrown off to w ≈ −9: w^1000 = inf
assert results["C: near w*, large η"]["w"][10] < 0  # overshoots onto the cliff, flung away

# %% [markdown]
# The descent loop itself is three lines — gradient, step, repeat:

# %%
w, lr = 1.002, 1e-8
for _ in range(3):
    C, dC = power_loss(w, n)
    w = float(w - lr * dC)
    print(f"C = {float(C):8.4g}, dC/dw = {float(dC):10.4g} -> w = {w:.6f}")

# %% [markdown]
# $\eta = 10^{-4}$ moves from $0.995$ quickly — and then overshoots, lands on the cliff and
# is flung to $w < 0$ within 10 steps (run C); from the cliff it jumps to $w \approx -9$, where $w^{1000}$
# overflows (run D). $\eta = 10^{-8}$ is safe on the cliff (run E) but crawls from $0.995$
# (run B), and on the plateau (run A) $\eta$ times the gradient of about $6 \times 10^{-20}$
# is below the spacing of float64 numbers near 0.95, so $w$ does not change at all.
#
# ### RMSProp on the plateau, and where its $\varepsilon$ sits
#
# Section 7's sign descent is not the only update that ignores the gradient's size.
# **RMSProp** in the form of Lee's slide (notebook 06) divides the gradient by the root of a
# running mean of its squares, $v \leftarrow 0.9\,v + 0.1\,g^2$ started at $v = g_0^2$ (Lee's
# $\sigma^0 = g^0$), $w \leftarrow w - \eta\, g/(\sqrt{v} + \varepsilon)$, and crosses the
# plateau from $w = 0.95$ too — but only when $\varepsilon$ is not much larger than the
# gradient itself. At $w = 0.95$, $|g| = 5.6 \times 10^{-20}$; with $\eta = 10^{-4}$ and 1000
# steps, $\varepsilon = 0$, $10^{-19}$ and up to $3 \times 10^{-18}$ (about $50\,|g|$) cross,
# while $\varepsilon = 10^{-17}$ barely moves $w$, and the usual $\varepsilon = 10^{-8}$ is
# $1.8 \times 10^{11}$ times $|g|$ and swamps it. This cell puts $\varepsilon$ *outside* the
# root, $g/(\sqrt{v} + \varepsilon)$, as PyTorch's `RMSprop` does. `helpers.optim.RMSProp`
# (notebook 06) puts it *inside*, $g/\sqrt{v + \varepsilon}$ with default
# $\varepsilon = 10^{-10}$: there $\varepsilon$ competes with $v \approx g^2 = 3 \times 10^{-39}$,
# so it would have to be about that small (checked below with $10^{-39}$ and $10^{-10}$).

# %%
def rmsprop_power(w0: float, lr: float, steps: int, eps: np.ndarray, *, inside: bool) -> np.ndarray:
    """RMSProp on C(w) = (w^n - 0.5)^2 from w0, one run per entry of ``eps`` (shape (m,)).

    v starts at g0^2 (Lee's sigma^0 = g^0); the step is lr g / (sqrt(v) + eps), or
    lr g / sqrt(v + eps) with ``inside=True`` (helpers.optim.RMSProp's form)."""
    w, v = np.full(eps.shape, w0), None
    for _ in range(steps):
        g = 2 * (w**n - 0.5) * n * w ** (n - 1)  # dC/dw, as power_loss computes it
        v = g * g if v is None else 0.9 * v + 0.1 * g * g
        w = w - lr * g / (np.sqrt(v + eps) if inside else np.sqrt(v) + eps)
    return w


eps_out = np.array([0, 1e-30, 1e-22, 1e-20, 1e-19, 1e-18, 3e-18, 1e-17, 1e-8])
eps_in = np.array([1e-39, 1e-10])
w_out = rmsprop_power(0.95, 1e-4, 1000, eps_out, inside=False)
w_in = rmsprop_power(0.95, 1e-4, 1000, eps_in, inside=True)
print(f"RMSProp from w = 0.95 (w* = {w_star:.5f}), |g| = {abs(float(g_flat)):.2g}, "
      "η = 1e-4, 1000 steps:")
g2 = float(g_flat) ** 2
for form, eps_set, w_set, scale in (("g/(√v + ε)", eps_out, w_out, "|g|"),
                                    ("g/√(v + ε)", eps_in, w_in, "g²")):
    for e, w_end in zip(eps_set, w_set, strict=True):
        ratio = e / (abs(float(g_flat)) if scale == "|g|" else g2)
        print(f"    {form}  ε = {e:7.0e} = {ratio:7.2g} {scale:3s}:  w = {w_end:.5f}")
assert 1.7e11 < 1e-8 / abs(float(g_flat)) < 1.9e11 and abs(float(g_flat) + 5.6e-20) < 0.05e-20
crossed = np.abs(w_out - w_star) < 1e-4
assert crossed.tolist() == [True] * 7 + [False] * 2 and np.all(np.abs(w_out[7:] - 0.95) < 1e-3)
assert abs(w_in[0] - w_star) < 1e-4 and abs(w_in[1] - 0.95) < 1e-9  # inside: ε vs g² ≈ 3e-39

# %% [markdown]
# ## References
#
# - Hochreiter, S. (1991). *Untersuchungen zu dynamischen neuronalen Netzen* (diploma thesis,
#   TU München) — the first analysis of vanishing gradients.
# - Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with
#   gradient descent is difficult. *IEEE Transactions on Neural Networks* 5(2), 157–166.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent
#   neural networks. *ICML 2013* (§2: the sum over time; §3.3: a regulariser for vanishing
#   gradients).
# - Goodfellow, I., Bengio, Y. & Courville, A. (2016). *Deep Learning*. MIT Press, §10.7
#   (the challenge of long-term dependencies), §10.8 (echo state networks) and §10.9.2 (leaky
#   units and a spectrum of different time scales).
# - Krähenbühl, P. & Wu, C.-Y. (2019). *Training recurrent networks* (lecture slides; the
#   linear RNN and $\alpha^t$).
# - Lee, H.-y. *Training Recurrent Neural Network* (lecture slides; the toy $y = w^{1000}$
#   up to one factor of $w$, RMSProp with $\sigma^0 = g^0$,
#   $\partial y/\partial w \approx \Delta y/\Delta w$, the rough error surface).
# - Long, L. *RNN 训练难题* (difficulties of training RNNs, lecture slides;
#   $1.01^{365}$ and $0.99^{365}$).
# - Goldberg, D. (1991). What every computer scientist should know about floating-point
#   arithmetic. *ACM Computing Surveys* 23(1), 5–48.
