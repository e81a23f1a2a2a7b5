# %% [markdown]
# # 05 · LSTM and GRU: gates against vanishing gradients
#
# A vanilla RNN's gradient over $k$ steps is a product of $k$ Jacobians
# $\operatorname{diag}(\varphi') W_h$ and shrinks geometrically (notebooks 02–03); clipping
# (notebook 04) tames only the exploding case. The lectures end on the same remedy: a
# **different structure** (seed 000), "LSTM can address the gradient vanishing problem"
# (seed 002).
#
# **You will learn**
# - the LSTM cell, piece by piece (cell state, forget, input and output gates), and the GRU,
#   as `torch.nn.LSTM`/`torch.nn.GRU` compute them;
# - why the cell path keeps gradients alive: its factor per step is
#   $\operatorname{diag}(f_t)$, one block of the $2H \times 2H$ Jacobian of $(h, c)$ — one
#   path, not the whole derivative;
# - why the forget gate needs a positive bias at initialisation (Gers et al. 2000);
# - what 8 seeds say on a 40-step lag, and why gates escape Bengio et al.'s (1994) dilemma;
# - to derive and write the LSTM step's backward pass, and a GRU step, yourself.

# %%
import matplotlib.pyplot as plt
import numpy as np

from helpers import diagrams, gru, lstm, optim, rnn, stacking, stats, style, tasks, train
from helpers.explorers import ALL

style.use()
plt.close(plt.figure())  # start matplotlib's inline backend now, so that every Figure displays
np.set_printoptions(precision=4, suppress=True)


def sigmoid(a):
    """The logistic function σ(a) = 1 / (1 + e^(−a))."""
    return 1.0 / (1.0 + np.exp(-a))


# %% [markdown]
# ## 1 · The LSTM, piece by piece
#
# A vanilla RNN *rewrites* its state at every step; the LSTM (Hochreiter & Schmidhuber
# 1997) keeps a second state, the **cell** $c_t$, that is *added to*. Build it up in four
# steps (below, in the spirit of Olah 2015): (1) a conveyor that carries $c$ and its
# gradient unchanged, the 1997 "constant error carousel"; (2) a **forget gate** $f_t$ that
# scales what is kept (Gers, Schmidhuber & Cummins 2000); (3) an **input gate** $i_t$ that
# scales what the **candidate** $g_t$ writes; (4) an **output gate** $o_t$ that decides how
# much of $\tanh(c_t)$ to show as $h_t$. Boxes are layers with weights, acting on
# $[h_{t-1}, x_t]$; circles act element by element; the thick blue line is the cell path.

# %%
diagrams.lstm_figure()

# %% [markdown]
# In equations, as `torch.nn.LSTM` computes them:
# $$\begin{aligned}
# i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + b_i), &
# f_t &= \sigma(W_{xf} x_t + W_{hf} h_{t-1} + b_f),\\
# g_t &= \tanh(W_{xg} x_t + W_{hg} h_{t-1} + b_g), &
# o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + b_o),\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, & h_t &= o_t \odot \tanh(c_t).
# \end{aligned}$$
# The four weight blocks are stacked into $W_x$ $(4H, D)$, $W_h$ $(4H, H)$ and $b$ $(4H,)$,
# in PyTorch's order **(i, f, g, o)** (PyTorch keeps two biases; only their sum matters).
# One step in NumPy, batched (`x` is (B, D), `h` and `c` are (B, H)); it also returns a
# `cache` of what a backward pass needs (Exercise 1):

# %%
def lstm_step(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step, gate order (i, f, g, o). Returns (h, c, cache)."""
    H = h_prev.shape[-1]
    a = x @ Wx.T + h_prev @ Wh.T + b  # (B, 4H): all four pre-activations at once
    i = sigmoid(a[:, 0 * H : 1 * H])  # input gate
    f = sigmoid(a[:, 1 * H : 2 * H])  # forget gate
    g = np.tanh(a[:, 2 * H : 3 * H])  # candidate
    o = sigmoid(a[:, 3 * H : 4 * H])  # output gate
    c = f * c_prev + i * g  # the cell: an element-wise, additive update
    h = o * np.tanh(c)
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "Wx": Wx, "Wh": Wh,
             "i": i, "f": f, "g": g, "o": o, "c": c}
    return h, c, cache


# %% [markdown]
# `helpers.lstm.forward` runs the same step over a sequence (tested against
# `torch.nn.LSTM` to $10^{-10}$). They agree, from a non-zero state ($T, B, D, H = 6, 3, 2, 4$):

# %%
rng = np.random.default_rng(1)
T, B, D, H = 6, 3, 2, 4
params = lstm.init(D, H, rng=rng)
xs = rng.normal(size=(T, B, D))
h0, c0 = rng.normal(size=(B, H)), rng.normal(size=(B, H))
hs, cache = lstm.forward(params, xs, (h0, c0))
h, c = h0, c0
for t in range(T):
    h, c, _ = lstm_step(xs[t], h, c, params["Wx"], params["Wh"], params["b"])
    assert np.allclose(h, hs[t], atol=1e-13) and np.allclose(c, cache.cs[t], atol=1e-13)
print("lstm_step and helpers.lstm.forward agree at every step (to 1e-13)")

# %% [markdown]
# ## 2 · The cell path: one block of the Jacobian
#
# Holding $h_{t-1}$ (and so every gate) fixed, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$
# gives $\partial c_t/\partial c_{t-1} = \operatorname{diag}(f_t)$: no $W_h$, no $\tanh'$.
# But the state is the pair $(h, c)$, and one step has a $2H \times 2H$ Jacobian:
# $$J_t = \frac{\partial (h_t, c_t)}{\partial (h_{t-1}, c_{t-1})} =
#   \begin{pmatrix} \partial h_t/\partial h_{t-1} & \partial h_t/\partial c_{t-1} \\
#   \partial c_t/\partial h_{t-1} & \operatorname{diag}(f_t) \end{pmatrix}.$$
# $\operatorname{diag}(f_t)$ is its **c → c block**; the other blocks are not zero ($h_{t-1}$
# reaches $c_t$ through the gates and $W_h$). Over $k$ steps the c → c block of
# $J_t \cdots J_{t-k+1}$ is not the product of the c → c blocks:
# $\operatorname{diag}(\prod f)$ is **one path**, the one that never leaves the cell. Check
# both by central differences: one step ($H = 5$), then $\partial c_{20}/\partial c_0$ of an
# LSTM with $H = 8$ against $\operatorname{diag}(\prod_t f_t)$:

# %%
def fd_jacobian(fun, z, eps=1e-6):
    """Central-difference Jacobian of fun at z: (len(fun(z)), len(z))."""
    return np.stack([(fun(z + e) - fun(z - e)) / (2 * eps) for e in eps * np.eye(len(z))], 1)


def lstm_state(p, xs, z):
    """(h_T, c_T) stacked, (2H,), for one sequence xs (T, D) from the state z = (h_0, c_0)."""
    H = p["Wh"].shape[1]
    hs, cache = lstm.forward(p, xs[:, None, :], (z[None, :H], z[None, H:]))
    return np.r_[hs[-1, 0], cache.cs[-1, 0]]


rng = np.random.default_rng(2)
p1, x1, z1 = lstm.init(3, 5, rng=rng), rng.normal(size=(1, 3)), rng.normal(size=10)
J1 = fd_jacobian(lambda z: lstm_state(p1, x1, z), z1)
f1 = lstm.forward(p1, x1[:, None, :], (z1[None, :5], z1[None, 5:]))[1].f[0, 0]
blocks = {"h→h": J1[:5, :5], "c→h": J1[:5, 5:], "h→c": J1[5:, :5]}
print("one step: |c→c block − diag(f_t)| <", 1e-8, "; the other blocks' norms:",
      {k: round(float(np.linalg.norm(v)), 3) for k, v in blocks.items()})
assert np.abs(J1[5:, 5:] - np.diag(f1)).max() < 1e-8 and min(map(np.linalg.norm, blocks.values())) > 0.05

rng = np.random.default_rng(9)
p20, xs20, z20 = lstm.init(2, 8, rng=rng), rng.normal(size=(20, 2)), np.r_[np.zeros(8), rng.normal(size=8)]
J_cc = fd_jacobian(lambda c: lstm_state(p20, xs20, np.r_[z20[:8], c])[8:], z20[8:], eps=1e-4)
one_path = np.diag(lstm.forward(p20, xs20[:, None, :], (z20[None, :8], z20[None, 8:]))[1].f[:, 0].prod(0))
rel_path = np.linalg.norm(J_cc - one_path) / np.linalg.norm(J_cc)
print(f"T = 20: ‖∂c_20/∂c_0 − diag(∏f)‖ / ‖∂c_20/∂c_0‖ = {rel_path:.3f}; "
      f"‖∂c_20/∂c_0‖ / ‖diag(∏f)‖ = {np.linalg.norm(J_cc) / np.linalg.norm(one_path):.0f}")
assert 0.99 < rel_path < 1.0

# %% [markdown]
# In this draw (one network) the true $\partial c_{20}/\partial c_0$ is 17 times larger
# than $\operatorname{diag}(\prod f)$ and differs from it by almost 100 % of its norm: most
# of it travels through $h$ (over 8 draws: 2 to 17 times larger, *Going further*). What
# the LSTM adds is a route whose factor is $f_t \le 1$ with no $W_h$ in it: if the network
# learns $f \approx 1$ for a unit, that route carries its gradient across many steps. The
# blocks through $h$ contain $W_h$, so **an LSTM can still explode** and is clipped like
# any RNN (Pascanu et al. 2013, §3.1; checked over 8 LSTMs in *Going further*).
#
# ## 3 · The forget-gate bias
#
# At initialisation every pre-activation is near 0, so $f \approx \sigma(0) = 0.5$: after
# 50 steps the cell path has multiplied the gradient by $0.5^{50} \approx 8.9 \times
# 10^{-16}$. The remedy is a **positive forget-gate bias**, so that every cell starts by
# remembering: Gers, Schmidhuber & Cummins (2000) introduced it with the forget gate;
# Jozefowicz, Zaremba & Sutskever (2015) made the value 1 popular. A gate at $f$ keeps $f^k = e^{-k/\tau}$ after $k$ steps, with time
# constant $\tau = -1/\ln f$ (`lstm.init(..., forget_bias=b_f)` sets $b_f$):

# %%
print(f"{'b_f':>4} {'f = σ(b_f)':>11} {'f^50':>10} {'τ (steps)':>10}")
for b_f in (0.0, 1.0, 2.0, 3.0):
    print(f"{b_f:4.0f} {sigmoid(b_f):11.4f} {sigmoid(b_f) ** 50:10.3g} {-1 / np.log(sigmoid(b_f)):10.3g}")
assert abs(0.5**50 - 8.8818e-16) < 1e-19 and abs(sigmoid(1.0) ** 50 - 1.5762e-7) < 1e-11

# %% [markdown]
# How much gradient reaches each earlier input at initialisation? The explorer attaches
# a loss to the last step only and draws
# $\lVert \partial L/\partial x_s \rVert$ relative to $s = T$ ($H = 24$, one draw of each
# network, 3 sequences).
#
# **Predict, then slide:** at $T = 100$, which forget bias makes the LSTM's gradient at
# $s = 1$ reach $10^{-2}$ of the last step's? Does the answer change at $T = 400$? And
# what do the RNN and GRU curves do when only $T$ changes?

# %%
flow = ALL["nb05.gradient_flow"]()
flow

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# With the bias at 0 the LSTM's gradient dies within a few dozen steps. At $T = 100$ it
# takes a bias between 2 and 2.5 to bring $10^{-2}$ of the gradient back to $s = 1$; at
# $T = 400$ between 2.5 and 3. The RNN and GRU lines do not move with the bias, and for long
# sequences they fall below $10^{-20}$. At initialisation every gate sits near 0.5, so the
# GRU (whose update gate plays the forget gate's part) and the LSTM with bias 0 halve their
# memory every step. Tallec & Ollivier (2018) turned this into *chrono initialisation*: pick
# $b_f$ so that the time constants $\tau$ cover the lags of the task. The check: with
# $b_f = 0$ the gradient reaching back 100 steps is below $10^{-12}$ of the last step's, it
# grows with the bias, and the crossings of $10^{-2}$ are where stated.
#
# </details>

# %%
from helpers.explorers.nb05 import FORGET_BIASES

reach = flow.profiles[100]["lstm"][:, 0]  # the gradient reaching s = 1, per bias
for b_f, r in zip(FORGET_BIASES[4::2], reach[4::2], strict=True):
    print(f"forget bias {b_f:4.1f}: gradient reaching s = 1 is {r:.2g} of that at s = T")
assert reach[FORGET_BIASES == 0.0][0] < 1e-12 and np.all(np.diff(reach) > 0)
assert reach[FORGET_BIASES == 2.0][0] < 1e-2 < reach[FORGET_BIASES == 2.5][0]
reach400 = flow.profiles[400]["lstm"][:, 0]
assert reach400[FORGET_BIASES == 2.5][0] < 1e-2 < reach400[FORGET_BIASES == 3.0][0]
assert max(flow.profiles[400]["rnn"][0], flow.profiles[400]["gru"][0]) < 1e-20

# %% [markdown]
# ## 4 · The GRU (Cho et al. 2014)
#
# The **gated recurrent unit** keeps one state $h$ and interpolates between it and a
# candidate $n_t$. In `torch.nn.GRU`'s form (gate order **(r, z, n)**), the course's:
# $$\begin{aligned}
# r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}), \qquad
# z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}),\\
# n_t &= \tanh\big(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})\big), \qquad
# h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}.
# \end{aligned}$$
# The reset gate acts *after* the matrix ($r_t \odot (W_{hn} h_{t-1} + b_{hn})$); Cho et
# al. put it before, $W (r_t \odot h_{t-1})$. $z_t = 1$ **keeps** the state: the update
# $h_t = h_{t-1} + (1 - z_t) \odot (n_t - h_{t-1})$ is additive, like the LSTM's cell.
# **Beware:** colah's *Understanding LSTM Networks* (2015) and Chung et al. (2014) write
# $h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t$, where $z_t = 1$ *overwrites* the
# state: the same cell with $z$ renamed $1 - z$.

# %%
diagrams.gru_figure()

# %% [markdown]
# The course's convention, checked on `helpers.gru` ($T, B, D, H = 6, 3, 2, 4$): from the
# gates it stores, $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$ at every step, while
# colah's formula with the same $z$ gives another state:

# %%
rng = np.random.default_rng(5)
gp = gru.init(D, H, rng=rng)
h0 = rng.normal(size=(B, H))
hs, gcache = gru.forward(gp, xs, h0)
prev = np.concatenate([h0[None], hs[:-1]])  # h_{t-1} for every t
torch_form = (1 - gcache.z) * gcache.n + gcache.z * prev
colah_form = (1 - gcache.z) * prev + gcache.z * gcache.n
assert np.abs(hs - torch_form).max() < 1e-14 and np.abs(hs - colah_form).max() > 0.1
print(f"max |h − torch's form| < 1e-14; "
      f"max |h − colah's form, same z| = {np.abs(hs - colah_form).max():.2f}")

# %% [markdown]
# ## 5 · A long lag over 8 seeds: the adding problem
#
# Each input is $T$ pairs: a value from $U[0, 1]$ and a marker, 1 at two positions (one in
# each half). The target is the **sum of the two marked values** (Le, Jaitly & Hinton
# 2015's version). Predicting the mean scores the variance, $\tfrac16$, so **a run learns
# when its test MSE (1000 new sequences) is below 1/12**, a threshold fixed before the runs.
#
# We train a vanilla RNN and a GRU, $H = 8$, a linear read-out of $h_T$, Adam (learning
# rate 0.03, batches of 16 fresh sequences, 150 steps, gradient norm clipped at 1), at
# $T = 40$, from **8 seeds** each (seed $m$: its own network and batches, the same batches
# for both models). The **ablation** isolates the lag: the same RNNs, same budget, at
# $T = 6$. Each group of 8 trains as one stack (`train.fit`).

# %%
SEEDS, STEPS, H, BATCH, LR, SUCCESS = tuple(range(8)), 150, 8, 16, 0.03, 1 / 12
S = len(SEEDS)


def train_seeds(cell, T):
    """Train S networks as one stack at lag T: (start params, end params, test MSE (S,), probe)."""
    start = train.init_stack(cell, 2, H, 1, seeds=list(SEEDS))
    xs_all, ys_all = tasks.adding_problem(STEPS * S * BATCH, T, rng=np.random.default_rng(100 + T))
    xs_all = xs_all.reshape(T, STEPS, S, BATCH, 2).transpose(1, 2, 0, 3, 4)  # [step, seed]
    ys_all = ys_all.reshape(STEPS, S, BATCH)
    end, hist = train.fit(cell, start, lambda k: (xs_all[k], ys_all[k]), steps=STEPS,
                          optimizer=optim.Adam(lr=LR), clip_norm=1.0)
    assert not any(hist.stopped)
    x_test, y_test = tasks.adding_problem(1000, T, rng=np.random.default_rng(1000 + T))
    mse = np.mean((train.predict(cell, end, x_test)[:, -1, :, 0] - y_test) ** 2, axis=1)
    return start, end, mse, (x_test[:, :200], y_test[:200])


runs = {("vanilla RNN", 40): train_seeds(rnn, 40), ("GRU", 40): train_seeds(gru, 40),
        ("vanilla RNN", 6): train_seeds(rnn, 6)}
print(f"test MSE after {STEPS} steps; learned = below 1/12 (baseline 1/6 = 0.167)")
for (name, T), (*_, mse, _) in runs.items():
    k, n, lo, hi = stats.rate(mse < SUCCESS)
    med, mlo, mhi = stats.median_range(mse)
    print(f"{name:>11}, T = {T:>2}: learned {k}/{n} [95 % interval {lo:.2f}–{hi:.2f}]; "
          f"MSE median {med:.2g} [10–90 %: {mlo:.2g}–{mhi:.2g}]")
learned = {key: int(np.sum(r[2] < SUCCESS)) for key, r in runs.items()}
assert learned == {("vanilla RNN", 40): 0, ("GRU", 40): 8, ("vanilla RNN", 6): 7}
assert runs["GRU", 40][2].max() < SUCCESS / 1.5 and runs["vanilla RNN", 40][2].min() > 0.16

# %% [markdown]
# At $T = 40$ the GRU learns in 8/8 seeds (every test MSE below 0.05), the vanilla RNN in
# 0/8 (every MSE above 0.16: the baseline). The same RNNs learn the 6-step lag in 7/8: the
# lag defeats them. (The LSTM is left out to fit the time budget; see *Going further*.)
# Does the GRU start with more gradient on early inputs? Measure, per seed, the share of $\sum_s \lVert \partial L/\partial x_s \rVert$ on the first half of
# the inputs (200 test sequences), before and after training:

# %%
def input_gradient(cell, model, xs, ys):
    """‖∂L/∂x_s‖ averaged over the batch, for the MSE of the last step: (T,). One model."""
    hs, cache = cell.forward({k: model[k] for k in cell.PARAM_NAMES}, xs)
    dhs = np.zeros_like(hs)
    dhs[-1] = 2 * (hs[-1] @ model["Wy"].T + model["by"] - ys[:, None]) / len(ys) @ model["Wy"]
    return np.linalg.norm(cell.backward(dhs, cache, return_dxs=True)[2], axis=-1).mean(axis=1)


share = {}
for name, cell in (("vanilla RNN", rnn), ("GRU", gru)):
    start, end, _, probe = runs[name, 40]
    for when, p in (("start", start), ("end", end)):
        g = np.array([input_gradient(cell, stacking.unstack(p, m), *probe) for m in range(S)])
        share[name, when] = g[:, :20].sum(1) / g.sum(1)
ratio = share["vanilla RNN", "start"] / share["GRU", "start"]
print(f"at the start, RNN share / GRU share: median {np.median(ratio):.0f}×, "
      f"{ratio.min():.1f}× to {ratio.max():.0f}×, above 10× in {np.sum(ratio > 10)}/{S} seeds")
for name in ("vanilla RNN", "GRU"):
    print(f"{name:>11}, after training: share on the first half {share[name, 'end'].min():.2g} "
          f"to {share[name, 'end'].max():.2g}")
assert np.sum(ratio > 1) == 7 and ratio.min() > 0.9 and 400 < np.median(ratio) < 800
assert np.sum(ratio > 10) == 6
assert np.all(share["GRU", "end"] > 0.3) and np.all(share["vanilla RNN", "end"] < 0.01)

# %% [markdown]
# At initialisation the GRU puts *less* of its gradient on the first half than the RNN in
# 7 of 8 seeds (median ≈600× less; the eighth about equal); after training it puts 34–55 %
# there, the RNN under 1 %.
# Bengio, Simard & Frasconi (1994) proved a dilemma: to *store* information robustly, the
# dynamics must **contract**, $\lVert \partial h_t/\partial h_{t-1} \rVert < 1$, and
# contraction makes the gradient vanish. A gate is the way out: with $z \approx 1$ (or
# $f \approx 1$) a unit holds its value with a factor close to 1, and *when* to hold is
# decided by a gate computed from the input, not by an attractor.
#
# ## Exercises
#
# ### Exercise 1: the LSTM step's backward pass (15 minutes)
#
# Given `dh` $= \partial L/\partial h_t$ and `dc_next`, the part of $\partial L/\partial c_t$
# that arrives through $c_{t+1}$ (each (B, H)) and the `cache` of `lstm_step` (section 1),
# return a dict of the gradients of $L$: `dx` (B, D), `dh_prev`, `dc_prev` (B, H), `dWx`
# (4H, D), `dWh` (4H, H), `db` (4H,), gate order (i, f, g, o). Derive on paper first: the total gradient
# on $c_t$ (two routes to $L$), each gate's pre-activation gradient, then the rest from the
# stacked (B, 4H) `da`. Checked against a reference and central differences.

# %%
from helpers.exercises import nb05 as exercises


def lstm_step_backward(dh, dc_next, cache):
    """Gradients of one LSTM step (see the text); returns a dict of arrays."""
    ### BEGIN SOLUTION
    i, f, g, o, c = (cache[k] for k in ("i", "f", "g", "o", "c"))
    tanh_c = np.tanh(c)
    dc = dc_next + dh * o * (1 - tanh_c**2)  # through c_{t+1} and through h_t
    da = np.concatenate([dc * g * i * (1 - i), dc * cache["c_prev"] * f * (1 - f),
                         dc * i * (1 - g**2), dh * tanh_c * o * (1 - o)], axis=1)
    return {"dx": da @ cache["Wx"], "dh_prev": da @ cache["Wh"], "dc_prev": dc * f,
            "dWx": da.T @ cache["x"], "dWh": da.T @ cache["h_prev"], "db": da.sum(axis=0)}
    ### END SOLUTION


lstm_step_backward = exercises.check_lstm_step_backward(lstm_step_backward)

# %% [markdown]
# ### Exercise 2: a GRU step (7 minutes)
#
# From the equations of section 4 (not colah's!), write one GRU step in `torch.nn.GRU`'s
# layout: rows of `Wx` (3H, D), `Wh` (3H, H), `bx`, `bh` (3H,) in the order (r, z, n);
# `x` is (B, D), `h` is (B, H). Return $h_t$ (B, H).

# %%
def gru_step(x, h, Wx, Wh, bx, bh):
    """One GRU step as torch.nn.GRU: returns h_new (B, H)."""
    ### BEGIN SOLUTION
    ax, ah = np.split(x @ Wx.T + bx, 3, axis=1), np.split(h @ Wh.T + bh, 3, axis=1)
    r, z = sigmoid(ax[0] + ah[0]), sigmoid(ax[1] + ah[1])
    n = np.tanh(ax[2] + r * ah[2])
    return (1 - z) * n + z * h
    ### END SOLUTION


gru_step = exercises.check_gru_step(gru_step)

# %% [markdown]
# ### Exercise 3: a forget bias for a 50-step half-life (3 minutes)
#
# With the inputs and $h$ at zero, a cell's forget gate is $f = \sigma(b_f)$. Which bias
# makes the cell keep half of its content (and of its gradient along the cell path) after
# 50 steps, $f^{50} = 1/2$? Solve for $f$, invert the sigmoid, write the number.

# %%
def answer():
    ### BEGIN SOLUTION
    f = 0.5 ** (1 / 50)
    return np.log(f / (1 - f))
    ### END SOLUTION


_ = exercises.check_forget_bias(answer)

# %% [markdown]
# ## Summary
#
# - The LSTM's cell is updated **additively**, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$;
#   the path that stays in the cell has the factor $\operatorname{diag}(f_t)$ per step, the
#   c → c block of the Jacobian of $(h, c)$: one path, not the derivative (17 times smaller
#   in the draw of §2). The blocks through $h$ contain $W_h$: an LSTM can still explode.
# - At initialisation $f \approx 0.5$; a positive forget-gate bias (Gers et al. 2000; 1 in
#   Jozefowicz et al. 2015) starts every cell with a longer memory.
# - In torch's (the course's) GRU, $z_t = 1$ keeps the state; colah writes the opposite.
# - Adding problem, $T = 40$, 8 seeds: GRU 8/8, vanilla RNN 0/8 (7/8 at $T = 6$). The GRU
#   starts with *less* gradient on early inputs and still learns: gates store information
#   without contracting dynamics, the way out of Bengio et al.'s (1994) dilemma.
#
# Next: **[06 · Optimizers and initialisation](06_optimizers_and_initialisation.ipynb)**.

# %% [markdown]
# ## Going further
#
# ### The 1997 LSTM: a constant error carousel
#
# Hochreiter & Schmidhuber (1997) started from the simplest way to make a gradient
# survive: a unit connected to itself with weight exactly 1 and the identity as activation.
# Its error then flows back unchanged forever — the **constant error carousel** (CEC).
# Around it they put multiplicative gates that decide when to write to it and when to read
# from it. In their notation, for a memory cell $c$ with input gate $y^{in}$ and output gate
# $y^{out}$:
# $$s_c(t) = s_c(t-1) + y^{in}(t)\, g\big(net_c(t)\big), \qquad
#   y^c(t) = y^{out}(t)\, h\big(s_c(t)\big),$$
# with no forget gate. So $\partial s_c(t)/\partial s_c(t-1) = 1$ **along the carousel**:
# holding the gates' inputs fixed, which is the gradient the 1997 truncation keeps. (They
# truncated the gradient outside the cell: errors flowing into the gates' and the cell
# input's net inputs were not propagated further back in time; only the CEC carried them.
# Without that truncation $s_c(t-1)$ would also reach $s_c(t)$ through the cell's output
# $y^c(t-1)$, fed back into the gates and the cell input, and the derivative would no
# longer be exactly 1.) Let us run one
# cell for 1000 steps with the net inputs of its input gate and of its cell **fixed** —
# drawn at random once, not computed from the cell's output, so nothing is fed back —
# and measure $\partial s_c(1000)/\partial s_c(0)$ by finite differences.

# %%
rng = np.random.default_rng(0)
steps = 1000
# The net inputs of the input gate and of the cell at each step: fixed arrays, NOT fed back
# from the cell's output. So the derivative below is the one along the carousel alone.
u_in = rng.normal(size=steps)
u_c = rng.normal(loc=0.3, size=steps)


def cec_run(s0):
    """The 1997 cell state after `steps` steps: s(t) = s(t−1) + y_in(t)·g(net_c(t))."""
    s = s0
    trace = np.empty(steps)
    for t in range(steps):
        s = s + sigmoid(u_in[t]) * np.tanh(u_c[t])
        trace[t] = s
    return s, trace


eps = 1e-4
ds_ds0 = (cec_run(0.5 + eps)[0] - cec_run(0.5 - eps)[0]) / (2 * eps)
print(f"∂s_c(1000)/∂s_c(0) by finite differences = {ds_ds0:.8f}")
assert abs(ds_ds0 - 1.0) < 1e-8

# %% [markdown]
# The derivative is 1: along the carousel (the gates' inputs held fixed), the error loses
# nothing over a thousand steps. But look at
# the state itself. Whenever the cell input $g$ has a non-zero mean, the cell *only ever
# adds*: $s_c$ drifts without bound, and the output $h(s_c)$ — a squashing function —
# saturates. Its slope $h'(s_c)$ then goes to zero, so the error that the carousel would
# carry never gets in or out: the cell stops being useful. Nothing in the 1997 cell can
# reset it (other than the end of the sequence); on long, continual input streams this is
# fatal. (Here $h = \tanh$; the 1997 paper used a scaled sigmoid, with the same effect.)

# %%
_, trace = cec_run(0.0)
t_axis = np.arange(1, steps + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
ax1.plot(t_axis, trace, color=style.EXPLODE)
ax1.set_xlabel("time step t")
ax1.set_ylabel("cell state $s_c(t)$ (no unit)")
ax1.set_title("The 1997 cell only adds: its state drifts")
ax2.semilogy(t_axis, 1.0 / np.cosh(trace) ** 2, color=style.VANISH)
ax2.set_ylim(1e-85, 10)
ax2.set_yticks([10.0**e for e in range(-80, 1, 20)])
ax2.set_xlabel("time step t")
ax2.set_ylabel("slope $\\tanh'(s_c(t))$ (log scale)")
ax2.set_title("…so its output saturates: no gradient gets out")
plt.show()
print(f"s_c after 100, 1000 steps: {trace[99]:.4g}, {trace[-1]:.4g}; "
      f"tanh'(s_c(1000)) = {1 / np.cosh(trace[-1]) ** 2:.3g}")
assert trace[-1] > 5 * trace[99] > 0  # it keeps growing, roughly linearly


# %% [markdown]
# ### The blocks of the LSTM's Jacobian, written out
#
# Section 2 measured the $2H \times 2H$ Jacobian by finite differences. Written out, with
# $u = o_t \odot (1 - \tanh^2 c_t)$ and $W_{h\cdot}$ the gate blocks of $W_h$,
# $$\frac{\partial c_t}{\partial h_{t-1}} = \operatorname{diag}\big(c_{t-1} f_t (1 - f_t)\big) W_{hf}
#   + \operatorname{diag}\big(g_t i_t (1 - i_t)\big) W_{hi} + \operatorname{diag}\big(i_t (1 - g_t^2)\big) W_{hg},$$
# $$\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}\big(\tanh(c_t)\, o_t(1 - o_t)\big) W_{ho}
#   + \operatorname{diag}(u)\, \frac{\partial c_t}{\partial h_{t-1}}, \qquad
#   \frac{\partial h_t}{\partial c_{t-1}} = \operatorname{diag}(u \odot f_t).$$
# Over many steps the Jacobian is the product $J_t J_{t-1} \cdots J_1$; its c → c block
# also sums every path that leaves the cell for $h$ and comes back. The formula, checked
# against the finite differences of section 2:

# %%
def lstm_step_jacobian(params, x, h, c):
    """J = ∂(h', c')/∂(h, c) of one LSTM step for one sequence: x (D,), h, c (H,) -> (2H, 2H)."""
    H = h.shape[-1]
    a = params["Wx"] @ x + params["Wh"] @ h + params["b"]
    i, f, o = sigmoid(a[:H]), sigmoid(a[H : 2 * H]), sigmoid(a[3 * H :])
    g = np.tanh(a[2 * H : 3 * H])
    c_new = f * c + i * g
    tc = np.tanh(c_new)
    Wi, Wf, Wg, Wo = (params["Wh"][k * H : (k + 1) * H] for k in range(4))
    dc_dh = (c * f * (1 - f))[:, None] * Wf + (g * i * (1 - i))[:, None] * Wi \
        + (i * (1 - g**2))[:, None] * Wg
    u = o * (1 - tc**2)
    dh_dh = (tc * o * (1 - o))[:, None] * Wo + u[:, None] * dc_dh
    return np.block([[dh_dh, np.diag(u * f)], [dc_dh, np.diag(f)]])



J1_formula = lstm_step_jacobian(p1, x1[0], z1[:5], z1[5:])
rel = np.linalg.norm(J1_formula - J1) / np.linalg.norm(J1)
assert rel < 1e-7
print("one step: the 2H × 2H formula matches finite differences (relative error < 1e-7)")

# %% [markdown]
# In section 2's draw the true $\partial c_{20}/\partial c_0$ is about 17 times larger (in
# norm) than $\operatorname{diag}(\prod f)$. Over 8 draws of the same kind (seeds 9–16;
# that one is seed 9) the factor is between about 2 and 17, median about 5 — always
# larger, by a factor that depends on the draw. The check, with the product
# $J_{20} \cdots J_1$ of the formula:

# %%
H20, T20 = 8, 20
h0_20 = np.zeros(H20)

def cell_block_ratio(seed: int) -> float:
    """‖∂c_T/∂c_0‖ / ‖diag(∏f)‖ for the draw of the cell above made with this seed."""
    rng = np.random.default_rng(seed)
    p = lstm.init(2, H20, rng=rng)
    xs, c0 = rng.normal(size=(T20, 2)), rng.normal(size=H20)
    _, cache = lstm.forward(p, xs[:, None, :], (h0_20[None], c0[None]))
    product, h, c = np.eye(2 * H20), h0_20, c0
    for t in range(T20):
        product = lstm_step_jacobian(p, xs[t], h, c) @ product
        h, c = cache.hs[t, 0], cache.cs[t, 0]
    return np.linalg.norm(product[H20:, H20:]) / np.linalg.norm(cache.f[:, 0].prod(axis=0))


block_ratios = np.array([cell_block_ratio(seed) for seed in range(9, 17)])
br_med, br_lo, br_hi = stats.median_range(block_ratios)
print(f"‖∂c_20/∂c_0‖ / ‖diag(∏f)‖: this draw (seed 9) {block_ratios[0]:.1f}; over 8 draws "
      f"{block_ratios.min():.1f} to {block_ratios.max():.1f}, median {br_med:.1f} [10–90 %: {br_lo:.1f}–{br_hi:.1f}]")
assert abs(block_ratios[0] - np.linalg.norm(J_cc) / np.linalg.norm(one_path)) < 1e-3 * block_ratios[0]
assert 15 < block_ratios[0] < 19 and np.all(block_ratios > 1.5) and 4 < br_med < 6

# %% [markdown]
# The other blocks contain $W_h$, so **an LSTM can still explode**, through $h$:
# Pascanu et al. (2013, §3.1) note that the LSTM addresses vanishing gradients, not
# exploding ones, which is why LSTMs are trained with clipping too. A check over 8 random
# LSTMs ($H = 8$, inputs of scale 0.5), once at the usual initialisation and once with the
# recurrent weights $W_h$ drawn from $\pm 8$ instead of $\pm 1/\sqrt{H}$: the largest singular
# value of the full Jacobian $J_{100} \cdots J_1$ after 100 steps.

# %%
def jacobian_norm(params, xs):
    """‖J_T ··· J_1‖₂, the full (h, c) Jacobian of an LSTM over the sequence xs (T, D)."""
    H = params["Wh"].shape[1]
    _, cache = lstm.forward(params, xs[:, None, :])
    product, h, c = np.eye(2 * H), np.zeros(H), np.zeros(H)
    for t in range(len(xs)):
        product = lstm_step_jacobian(params, xs[t], h, c) @ product
        h, c = cache.hs[t, 0], cache.cs[t, 0]
    return np.linalg.norm(product, 2)


grow = {}
for label, scale in [("usual init, W_h in ±1/√H", 1.0), ("W_h in ±8", 8.0 * np.sqrt(8))]:
    norms = []
    for seed in range(8):
        rng = np.random.default_rng(100 + seed)
        p_big = lstm.init(2, 8, rng=rng)
        p_big["Wh"] *= scale
        norms.append(jacobian_norm(p_big, 0.5 * rng.normal(size=(100, 2))))
    grow[label] = np.log10(norms)
    big = int(np.sum(grow[label] > 1))
    print(f"{label:>25}: ‖J_100 ··· J_1‖ > 10 in {big}/8 draws; median "
          f"10^{np.median(grow[label]):.0f}, range 10^{grow[label].min():.0f} to "
          f"10^{grow[label].max():.0f}")
assert np.all(grow["usual init, W_h in ±1/√H"] < -10)
assert np.median(grow["W_h in ±8"]) > 8 and np.all(grow["W_h in ±8"] > 1)

# %% [markdown]
# ### How `helpers.lstm.backward` carries the gradient, and gradient checks
#
# Two error signals travel back together: $\partial L/\partial h_s$ and
# $\partial L/\partial c_s$. At each step the total gradient on the cell is
# $\partial L/\partial c_s = (\text{from } c_{s+1}) + \partial L/\partial h_s \odot o_s \odot
# (1 - \tanh^2 c_s)$, the four gate pre-activations get their share, the signal to $h_{s-1}$
# goes through $W_h$, and the signal to $c_{s-1}$ is $f_s \odot \partial L/\partial c_s$ —
# Exercise 1, in a loop over time. The loop of full BPTT:

# %%
import inspect

src = inspect.getsource(lstm.backward)
start = src.index("        if k is None or k >= T:")
print(src[start : src.index("        else:", start)])

# %% [markdown]
# Both backward passes against central differences, on a random problem with a non-zero
# initial state, for the loss $L = \sum_t \sum_{b,j} w_{tbj}\, h_{tbj}$ with random weights
# $w$ (so that $\partial L/\partial h_t = w_t$):

# %%
from helpers import gradcheck

rng = np.random.default_rng(6)
T, B, D, H = 5, 2, 3, 4
xs = rng.normal(size=(T, B, D))
w = rng.normal(size=(T, B, H))

lp = lstm.init(D, H, rng=rng, forget_bias=1.0)
state = (rng.normal(size=(B, H)), rng.normal(size=(B, H)))
_, lc = lstm.forward(lp, xs, state)
l_grads, (dh0, dc0) = lstm.backward(w, lc)


def lstm_loss(p):
    hs, _ = lstm.forward({k: p[k] for k in lstm.PARAM_NAMES}, xs, (p["h0"], p["c0"]))
    return float(np.sum(w * hs))


l_num = gradcheck.numerical_gradient(lstm_loss, {**lp, "h0": state[0], "c0": state[1]})
l_err = gradcheck.rel_error({**l_grads, "h0": dh0, "c0": dc0}, l_num)

gp = gru.init(D, H, rng=rng)
g_h0 = rng.normal(size=(B, H))
_, gc = gru.forward(gp, xs, g_h0)
g_grads, g_dh0 = gru.backward(w, gc)


def gru_loss(p):
    hs, _ = gru.forward({k: p[k] for k in gru.PARAM_NAMES}, xs, p["h0"])
    return float(np.sum(w * hs))


g_num = gradcheck.numerical_gradient(gru_loss, {**gp, "h0": g_h0})
g_err = gradcheck.rel_error({**g_grads, "h0": g_dh0}, g_num)
assert l_err < 1e-7 and g_err < 1e-7
print("LSTM: relative error, BPTT vs finite differences < 1e-7  (weights, h0 and c0)")
print("GRU : relative error, BPTT vs finite differences < 1e-7  (weights and h0)")

# %% [markdown]
# ### Peephole connections (Gers & Schmidhuber 2000)
#
# In the LSTM above the gates see the cell only through $h_{t-1} = o_{t-1} \odot
# \tanh(c_{t-1})$: when the output gate is closed, the gates are blind to what the cell
# holds. Gers & Schmidhuber (2000) added **peephole** connections, element-wise weights
# $p_i, p_f, p_o$ from the cell to its own gates (seed 002's "peephole" slide):
# $$\begin{aligned}
# i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + p_i \odot c_{t-1} + b_i), \qquad
# f_t = \sigma(W_{xf} x_t + W_{hf} h_{t-1} + p_f \odot c_{t-1} + b_f),\\
# c_t &= f_t \odot c_{t-1} + i_t \odot g_t, \qquad
# o_t = \sigma(W_{xo} x_t + W_{ho} h_{t-1} + p_o \odot c_t + b_o), \qquad h_t = o_t \odot \tanh(c_t).
# \end{aligned}$$
# (The output gate peeks at the *new* cell $c_t$.) What they add: the gates can react to
# the cell's content directly, which helped Gers, Schraudolph & Schmidhuber (2002) learn
# precise timing (counting steps, producing spikes at exact intervals). On common
# benchmarks they matter little: the large study of Greff et al. (2017) found that removing
# them did not significantly hurt, and `torch.nn.LSTM` has none.
#
# Because the peepholes are element-wise, the cell path stays **diagonal**: now
# $f_t$ and $i_t$ depend on $c_{t-1}$ too, and
# $$\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}\big(f_t + c_{t-1}\, f_t(1-f_t)\, p_f
#   + g_t\, i_t(1-i_t)\, p_i\big).$$
# A peephole step in NumPy, and a check of both facts (zero peepholes give the plain LSTM;
# the Jacobian is diagonal and matches the formula):

# %%
def peephole_step(x, h, c, Wx, Wh, b, p_i, p_f, p_o):
    """One LSTM step with peepholes p_i, p_f, p_o (each (H,)). Returns (h_new, c_new)."""
    H = h.shape[-1]
    a = x @ Wx.T + h @ Wh.T + b
    i = sigmoid(a[:, :H] + p_i * c)
    f = sigmoid(a[:, H : 2 * H] + p_f * c)
    g = np.tanh(a[:, 2 * H : 3 * H])
    c_new = f * c + i * g
    o = sigmoid(a[:, 3 * H :] + p_o * c_new)
    return o * np.tanh(c_new), c_new


rng = np.random.default_rng(4)
H, eps = 5, 1e-6
Wx1, Wh1, b1 = p1["Wx"], p1["Wh"], p1["b"]
x_step, h_prev, c_prev = x1, z1[None, :5], z1[None, 5:]
zero = np.zeros(H)
plain = lstm_step(x_step, h_prev, c_prev, Wx1, Wh1, b1)[:2]
with_zero_peepholes = peephole_step(x_step, h_prev, c_prev, Wx1, Wh1, b1, zero, zero, zero)
assert all(np.allclose(u, v, atol=1e-15) for u, v in zip(plain, with_zero_peepholes, strict=True))

p_i, p_f, p_o = rng.normal(size=(3, H))
jac_p = np.empty((H, H))
for j in range(H):
    bump = np.zeros((1, H))
    bump[0, j] = eps
    up = peephole_step(x_step, h_prev, c_prev + bump, Wx1, Wh1, b1, p_i, p_f, p_o)[1]
    down = peephole_step(x_step, h_prev, c_prev - bump, Wx1, Wh1, b1, p_i, p_f, p_o)[1]
    jac_p[:, j] = (up - down)[0] / (2 * eps)
a1 = x_step @ Wx1.T + h_prev @ Wh1.T + b1
i_p = sigmoid(a1[:, :H] + p_i * c_prev)[0]
f_p = sigmoid(a1[:, H : 2 * H] + p_f * c_prev)[0]
g_p = np.tanh(a1[:, 2 * H : 3 * H])[0]
formula = f_p + c_prev[0] * f_p * (1 - f_p) * p_f + g_p * i_p * (1 - i_p) * p_i
off_diag = np.abs(jac_p - np.diag(np.diag(jac_p))).max()
assert off_diag < 1e-12 and np.allclose(np.diag(jac_p), formula, atol=1e-9)
print("largest off-diagonal entry < 1e-12;  max |diagonal − formula| < 1e-9")


# %% [markdown]
# ### The GRU's direct path
#
# The GRU's update $h_t = h_{t-1} + (1 - z_t) \odot (n_t - h_{t-1})$ is additive like the
# LSTM's cell: the Jacobian $\partial h_t/\partial h_{t-1}$ contains the direct term
# $\operatorname{diag}(z_t)$, and the other paths go through $W_h$. With $W_h = 0$ only the
# direct path is left, and the Jacobian is exactly $\operatorname{diag}(z_t)$ (the step is
# the reference solution of Exercise 2):

# %%
H = 4
gp0 = {**gp, "Wh": np.zeros_like(gp["Wh"])}  # no matrix path: only z ⊙ h_{t-1} is left
x_one, h_one = xs[0, :1], h0[:1]


def gru_state(h):
    return exercises.reference_gru_step(x_one, h[None], *(gp0[k] for k in gru.PARAM_NAMES))[0]


jac_g = fd_jacobian(gru_state, h_one[0])
z_one = gru.forward(gp0, xs[:1, :1], h_one)[1].z[0, 0]
assert np.allclose(jac_g, np.diag(z_one), atol=1e-9)
print("W_h = 0: max |Jacobian − diag(z_t)| < 1e-9")

# %% [markdown]
# ### A note on the SCRN (Mikolov et al. 2015)
#
# Seed 002 lists one more "simpler variant": the **structurally constrained recurrent
# network** of Mikolov et al. (2015), *Learning longer memory in recurrent neural networks*.
# It adds to a vanilla RNN a block of slow *context units* with a fixed, non-learned
# self-connection $\alpha$ close to 1:
# $$s_t = (1 - \alpha)\, B x_t + \alpha\, s_{t-1}, \qquad
#   h_t = \sigma(P s_t + A x_t + R h_{t-1}), \qquad y_t = f(U h_t + V s_t).$$
# So $\partial s_t / \partial s_{t-1} = \alpha I$ — a forget gate frozen at $\alpha$ (0.95 in
# the paper). The gradient along the context path decays like $\alpha^k$, slowly but
# surely: $0.95^{50} \approx 0.077$. It gets a longer memory than a plain RNN at little
# cost, but cannot decide, as a gate can, when to hold and when to forget.

# %%
alpha_scrn = 0.95
assert abs(alpha_scrn**50 - 0.076945) < 1e-6
print(f"0.95^50 = {alpha_scrn**50:.4g}   (vs the LSTM's initial 0.5^50 = {0.5**50:.2g})")

# %% [markdown]
# ### RNN, LSTM and GRU at initialisation, over 8 draws
#
# Seed 003 closes with a picture comparing how gradients flow in an RNN and an LSTM; the
# explorer of section 3 draws it for one draw of each network. Here the number at its left
# end, for 8 draws ($T = 100$, $B = 4$, $D = 4$, $H = 24$): a loss on the **last** step
# only, $L = w \cdot h_T$, and the gradient reaching the first input,
# $\lVert \partial L / \partial x_1 \rVert$, relative to the last one. All models start
# from their usual random initialisation: a tanh RNN with Glorot weights, LSTM and GRU
# with uniform weights in $\pm 1/\sqrt{H}$ — the LSTM with forget bias 0 and 1.
#
# At initialisation **none** of the models carries the gradient far: every gate starts
# near $\sigma(0) = 0.5$, so the LSTM with forget bias 0 and the GRU (whose update gate
# plays the forget gate's role) halve their memory every step, and they are *worse* than
# the vanilla RNN. In the first draw (seed 7, one network of each kind) the LSTM with
# forget bias 0 is the worst, $3 \times 10^{-24}$, then the GRU, $5 \times 10^{-20}$, then
# the RNN, $10^{-14}$. Over 8 draws (seeds 7–14) the LSTM with forget bias 0 and the GRU
# are comparable (median $\approx 10^{-19}$, either can be the lower one), both below the
# RNN in every draw; the LSTM with forget bias 1 is the highest in every draw. The forget
# bias of 1 buys many orders of magnitude, and still leaves the LSTM far from carrying the
# gradient across 100 steps. The check:

# %%
T, B, D, H = 100, 4, 4, 24
MODELS_0 = ("vanilla RNN (tanh)", "LSTM, forget bias 0", "LSTM, forget bias 1", "GRU")


def first_step_reach(seed: int) -> dict[str, float]:
    """‖∂L/∂x_1‖ / ‖∂L/∂x_T‖ for each model, for one draw of inputs and networks."""
    rng = np.random.default_rng(seed)
    xs = rng.normal(size=(T, B, D))
    dhs = np.zeros((T, B, H))
    dhs[-1] = rng.normal(size=(B, H))  # the loss sits on the last step only
    draw = {"vanilla RNN (tanh)": (rnn, rnn.init(D, H, rng=rng)),
            "LSTM, forget bias 0": (lstm, lstm.init(D, H, rng=rng)),
            "LSTM, forget bias 1": (lstm, lstm.init(D, H, rng=rng, forget_bias=1.0)),
            "GRU": (gru, gru.init(D, H, rng=rng))}
    out = {}
    for name, (cell, p) in draw.items():
        _, cache = cell.forward(p, xs)
        *_, dxs = cell.backward(dhs, cache, return_dxs=True)
        norms = np.linalg.norm(dxs, axis=-1).mean(axis=1)  # ‖∂L/∂x_s‖, batch mean
        out[name] = norms[0] / norms[-1]
    return out


draws = [first_step_reach(seed) for seed in range(7, 15)]
log_reach = {name: np.log10([d[name] for d in draws]) for name in MODELS_0}
for name, v in log_reach.items():
    med, lo, hi = stats.median_range(v)
    print(f"{name:>20}: log10 ‖∂L/∂x_1‖/‖∂L/∂x_T‖: seed 7 {v[0]:.1f}; over 8 draws median "
          f"{med:.1f} [10–90 %: {lo:.1f} to {hi:.1f}]")
# one draw, as quoted: LSTM bias 0 ≈ 3e-24 < GRU ≈ 5e-20 < RNN ≈ 1e-14
assert [round(float(log_reach[n][0])) for n in ("LSTM, forget bias 0", "GRU", "vanilla RNN (tanh)")] \
    == [-24, -19, -14]
lstm0, g, r, lstm1 = (log_reach[n] for n in
                      ("LSTM, forget bias 0", "GRU", "vanilla RNN (tanh)", "LSTM, forget bias 1"))
assert np.all(np.maximum(lstm0, g) < r) and np.all(r < lstm1)  # in every draw
assert abs(np.median(lstm0) - np.median(g)) < 1 and -20.5 < np.median(g) < -18.5
assert np.any(lstm0 < g) and np.any(g < lstm0)  # either can be the lower one
print("in every draw: LSTM (bias 0) and GRU < RNN < LSTM (bias 1)")

# %% [markdown]
# ### The LSTM on the adding problem
#
# Section 5 trains one gated model, the GRU, to keep this notebook within its time
# budget. To train the LSTM and test whether the forget bias helps (the ablation: the same
# seeds and batches, $b_f = 0$ against $b_f = 2$), stack 16 LSTMs with
# `train.init_stack(lstm, 2, H, 1, seeds=..., forget_bias=...)`, train them as in
# `train_seeds` (try 300 steps with batches of 32), and report both success rates with
# their intervals — "no difference detected at 8 seeds" when the intervals overlap.

# %% [markdown]
# ## References
#
# - Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with gradient descent is difficult. *IEEE Transactions on Neural Networks* 5(2), 157–166.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent neural networks. *ICML 2013*. (§3.1: the LSTM addresses vanishing, not exploding gradients.)
# - Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. *Neural Computation* 9(8), 1735–1780.
# - Gers, F. A., Schmidhuber, J. & Cummins, F. (2000). Learning to forget: continual prediction with LSTM. *Neural Computation* 12(10), 2451–2471.
# - Gers, F. A. & Schmidhuber, J. (2000). Recurrent nets that time and count. *IJCNN 2000*.
# - Gers, F. A., Schraudolph, N. N. & Schmidhuber, J. (2002). Learning precise timing with LSTM recurrent networks. *JMLR* 3, 115–143.
# - Chung, J., Gulcehre, C., Cho, K. & Bengio, Y. (2014). Empirical evaluation of gated recurrent neural networks on sequence modeling. arXiv:1412.3555.
# - Olah, C. (2015). Understanding LSTM networks. Blog post, colah.github.io.
# - Cho, K., van Merriënboer, B., Gulcehre, C., Bahdanau, D., Bougares, F., Schwenk, H. & Bengio, Y. (2014). Learning phrase representations using RNN encoder–decoder for statistical machine translation. *EMNLP 2014*.
# - Jozefowicz, R., Zaremba, W. & Sutskever, I. (2015). An empirical exploration of recurrent network architectures. *ICML 2015*.
# - Le, Q. V., Jaitly, N. & Hinton, G. E. (2015). A simple way to initialize recurrent networks of rectified linear units. arXiv:1504.00941.
# - Mikolov, T., Joulin, A., Chopra, S., Mathieu, M. & Ranzato, M. (2015). Learning longer memory in recurrent neural networks. *ICLR 2015 (workshop)*.
# - Greff, K., Srivastava, R. K., Koutník, J., Steunebrink, B. R. & Schmidhuber, J. (2017). LSTM: a search space odyssey. *IEEE TNNLS* 28(10), 2222–2232.
# - Tallec, C. & Ollivier, Y. (2018). Can recurrent neural networks warp time? *ICLR 2018*.
# - Seeds: Krähenbühl & Wu (2019), *Training recurrent networks* (000); Hung-yi Lee, *Training Recurrent Neural Network* (002); Long Liangqu, *RNN训练难题* (003); Changho Suh (2021), *Lecture 11: basic RNNs* (004).
