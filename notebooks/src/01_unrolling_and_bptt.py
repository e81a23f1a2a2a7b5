# %% [markdown]
# # 01 · Unrolling and backpropagation through time
#
# A recurrent network feeds its hidden state back in at the next step, and backpropagation
# needs a graph without cycles. The way out is to **unroll** the loop, one copy of the cell
# per time step: a deep feed-forward network with shared weights, on which ordinary
# backpropagation runs — *backpropagation through time* (BPTT).
#
# **You will learn**
# - to see an RNN unrolled over $T$ steps as a $T$-layer network with shared weights, and
#   why a shared weight receives the **sum** of its copies' gradients;
# - the backward recursion of BPTT,
#   $\delta_t = \varphi'(a_t) \odot (\partial \ell_t/\partial h_t + W_h^\top \delta_{t+1})$,
#   and to write it as a loop yourself, checked against finite differences (Exercise 1);
# - why every step up to the last scored output gets gradient, even when only the end is
#   scored;
# - truncated BPTT (`truncate=k`, Sutskever's $k_1/k_2$): what it gives up — the long-range
#   terms, set to exactly zero — and what it bounds — the cost of an update; to implement
#   it and find how small $k$ may be for a given network (Exercise 2).

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers import rnn, style, train, unroll
from helpers.explorers import ALL
from helpers.explorers.nb01 import backward_graph, unrolled_graph
from helpers.gradcheck import numerical_gradient, rel_error

style.use()
np.set_printoptions(precision=4, suppress=True)
plt.close(plt.figure())  # start matplotlib's inline backend now, so that every Figure displays


def check(label, err, tol):
    """Assert that a relative error is below ``tol`` and say so (only the bound is printed:
    errors at the level of rounding differ in their digits from CPU to CPU)."""
    assert err < tol, f"{label}: relative error {err:.2e} is not below {tol:.0e}"
    print(f"{label}: relative error < {tol:.0e}  ✓")


# %% [markdown]
# ## 1 · The recurrence
#
# A vanilla RNN reads inputs $x_1, \dots, x_T$ and keeps a hidden state $h_t$:
# $$a_t = W_x x_t + W_h h_{t-1} + b, \qquad h_t = \varphi(a_t), \qquad \hat y_t = W_y h_t + b_y ,$$
# from a given $h_0$ (often zeros). $\varphi$ acts element-wise (here $\tanh$), $a_t$ is
# the *pre-activation*, $\hat y_t$ the prediction. The same $W_x$, $W_h$, $b$ serve at
# every step. In code a batch is time-major, `xs[t]` of shape `(B, D)`, and code index
# `t = 0` is the math's step 1. The loop below is the whole forward pass;
# `helpers.rnn.forward` does the same, faster.

# %%
rng = np.random.default_rng(0)
T, B, D, H, O = 6, 3, 2, 4, 2  # steps, batch, input size, hidden size, output size
params = rnn.init(D, H, rng=rng, scale=1.2)
params["b"] = rng.normal(0, 0.2, size=H)
xs = rng.normal(size=(T, B, D))

h = np.zeros((B, H))  # h_0
states = []
for t in range(T):
    h = np.tanh(xs[t] @ params["Wx"].T + h @ params["Wh"].T + params["b"])
    states.append(h)

hs, cache = rnn.forward(params, xs)
assert np.allclose(np.stack(states), hs, rtol=0, atol=1e-14)
print("hs:", hs.shape, "| first sequence, h_1 =", np.round(hs[0, 0], 4))

# %% [markdown]
# ## 2 · Unrolling: a deep feed-forward network with shared parameters
#
# Draw one box per time step and the cycle disappears. Each step is a *layer* taking
# $h_{t-1}$ and an extra input $x_t$: a network $T$ layers deep — "a very deep neural
# network" (Hung-yi Lee) — in which **every layer uses the same weights**.

# %%
unrolled_graph(4)  # drawn by helpers/explorers/nb01.py

# %% [markdown]
# **Why share?** (Suh's question.) The task is the same at every position: a pattern
# learned at step 3 is recognised at step 30; the parameter count does not grow with $T$,
# so one model handles any length; and every step of every sequence trains the same
# weights. `unroll.untie` gives layer $t$ its own copy $W_x^{(t)}, W_h^{(t)}, b^{(t)}$,
# all equal to the shared values, and `unroll.forward_untied` runs that network: with
# equal copies it is the same function.

# %%
n_tied = sum(v.size for v in params.values())
print(f"tied: {n_tied} parameters for any T; untied over T = 1000 steps: {1000 * n_tied}")
untied = unroll.untie(params, T)
hs_untied, cache_untied = unroll.forward_untied(untied, xs)
assert np.allclose(hs_untied, hs, rtol=0, atol=1e-14)

# %% [markdown]
# ## 3 · A shared weight gets the sum of its copies' gradients
#
# To keep two weights equal (Hinton, 2012, lecture 7), start them equal and give both the
# sum of their gradients, $\partial E/\partial w_1 + \partial E/\partial w_2$ — the chain
# rule for $w_1 = w_2 = w$.
# The unrolled RNN holds one copy per step, so
# $$\frac{\partial L}{\partial W_h} = \sum_{t=1}^{T} \frac{\partial L}{\partial W_h^{(t)}},$$
# and the same for $W_x$ and $b$. To check it we need a loss: the squared error on every
# output, $L = \sum_t \ell_t$ with $\ell_t = \tfrac12 \lVert \hat y_t - y_t \rVert^2$
# (summed over the batch; $y_t$ is the target). What the loss *injects* at step $t$ is
# the derivative of its own term, $\partial \ell_t/\partial h_t = W_y^\top (\hat y_t - y_t)$,
# with the later states held fixed: that is `dhs[t]`, in this notebook and in `helpers`.
# Below, each copy's gradient in the untied network (plain layer-by-layer backprop)
# against finite differences, then their sum against the tied network's gradient.

# %%
readout = train.readout_init(H, O, rng=rng)
targets = rng.normal(size=(T, B, O))  # y_t


def loss_and_dhs(hs, readout=readout, targets=targets):
    """L = ½ Σ_t ‖ŷ_t − y_t‖² with ŷ_t = W_y h_t + b_y, and ∂ℓ_t/∂h_t, shape (T, B, H)."""
    err = hs @ readout["Wy"].T + readout["by"] - targets
    return 0.5 * float(np.sum(err**2)), err @ readout["Wy"]


L, dhs = loss_and_dhs(hs)
grads_copies, _ = unroll.backward_untied(dhs, cache_untied)
numeric_copies = numerical_gradient(
    lambda u: loss_and_dhs(unroll.forward_untied(u, xs)[0])[0], untied
)
check("each copy's gradient vs finite differences", rel_error(grads_copies, numeric_copies), 1e-8)
summed = unroll.tie(grads_copies)  # Σ_t over the copies
numeric_tied = numerical_gradient(lambda p: loss_and_dhs(rnn.forward(p, xs)[0])[0], params)
tied, _ = rnn.backward(dhs, cache)
check("Σ_t copies vs finite differences of the tied RNN", rel_error(summed, numeric_tied), 1e-8)
check("Σ_t copies vs helpers.rnn.backward", rel_error(summed, tied), 1e-12)
print("‖∂L/∂W_h^(t)‖, t = 1..6:", np.round(np.linalg.norm(grads_copies["Wh"], axis=(1, 2)), 3))

# %% [markdown]
# The copies get *different* gradients (copy 1 of $W_h$ exactly zero: it multiplies
# $h_0 = 0$).
#
# ## 4 · Backpropagation through time: the backward recursion
#
# For a feed-forward network, Lee's recap defines the *error signal* of layer $l$,
# $\delta^l = \partial L/\partial z^l$ (with respect to the pre-activation), and computes
# it from the layer above: $\delta^{l} = \sigma'(z^{l}) \odot (W^{l+1})^\top \delta^{l+1}$.
# In the unrolled RNN layer $l$ is step $t$, $z^l$ is $a_t$, and $W^{l+1}$ is $W_h$ at
# every layer. One thing is new: $h_t$ receives gradient from two places, its own loss
# term and the next step. With $\delta_t = \partial L/\partial a_t$:
# $$\boxed{\;\delta_t = \varphi'(a_t) \odot \Big(\frac{\partial \ell_t}{\partial h_t} + W_h^\top \delta_{t+1}\Big),
# \qquad \delta_{T+1} = 0\;}$$
# and each parameter collects one term per step — the per-copy gradients of section 3:
# $$\frac{\partial L}{\partial W_h} = \sum_{t=1}^T \delta_t\, h_{t-1}^\top, \qquad
# \frac{\partial L}{\partial W_x} = \sum_{t=1}^T \delta_t\, x_t^\top, \qquad
# \frac{\partial L}{\partial b} = \sum_{t=1}^T \delta_t, \qquad
# \frac{\partial L}{\partial h_0} = W_h^\top \delta_1 .$$
# For $\tanh$, $\varphi'(a_t) = 1 - h_t^2$, so the forward pass only keeps the states.
# BPTT is two sweeps: **forward** $t = 1, \dots, T$ storing $h_1, \dots, h_T$;
# **backward** $t = T, \dots, 1$ computing $\delta_t$ and adding up the terms (you write
# that loop in Exercise 1). Below, the arrow leaving step $t$ to the left carries
# $\delta_t$ back, shaded by $\lVert\delta_t\rVert$; the next cell checks the three sums.

# %%
deltas = unroll.error_signals(dhs, cache).sum(axis=0)  # δ_t, (T, B, H)
backward_graph(np.linalg.norm(deltas, axis=(1, 2)))

# %%
h_before = np.concatenate([np.zeros((1, B, H)), hs[:-1]])  # h_{t-1} for every t
sums = {
    "Wh": np.einsum("tbi,tbj->ij", deltas, h_before),
    "Wx": np.einsum("tbi,tbj->ij", deltas, xs),
    "b": deltas.sum(axis=(0, 1)),
}
check(
    "Σ_t δ_t h_{t-1}ᵀ, Σ_t δ_t x_tᵀ, Σ_t δ_t vs finite differences",
    rel_error(sums, numeric_tied),
    1e-8,
)
print("‖δ_t‖ drawn:", np.round(np.linalg.norm(deltas, axis=(1, 2)), 2))

# %% [markdown]
# A correct gradient agrees with finite differences to about $10^{-10}$; a bug shows up
# as $10^{-2}$ or worse.
#
# ## 5 · Loss on every output, or only on the last few
#
# A sequence classifier scores only $\hat y_T$; Suh's lecture picks a cost on "a few last
# outputs", $J(\hat y_2, \hat y_3)$. Outputs without a loss inject nothing
# ($\partial \ell_t/\partial h_t = 0$ there), but the recurrence still carries the error
# back: $\delta_t$ is non-zero for every step **up to** the last scored one, because each
# such $h_t$ influenced the scored outputs. The cell computes $J(\hat y_2, \hat y_3)$ on
# the first four steps, checks its gradient, and draws its $\delta_t$.

# %%
T4 = 4
xs4 = xs[:T4]
hs4, cache4 = rnn.forward(params, xs4)
mask = np.zeros((T4, 1, 1))
mask[[1, 2]] = 1.0  # steps 2 and 3 (code indices 1, 2) enter J


def J(p):
    """J(ŷ_2, ŷ_3) = ½ Σ_{t in {2, 3}} ‖ŷ_t − y_t‖²."""
    err = (rnn.forward(p, xs4)[0] @ readout["Wy"].T + readout["by"] - targets[:T4]) * mask
    return 0.5 * float(np.sum(err**2))


dhs_J = loss_and_dhs(hs4, targets=targets[:T4])[1] * mask
grads_J, _ = rnn.backward(dhs_J, cache4)
check("gradient check of ∂J/∂θ", rel_error(grads_J, numerical_gradient(J, params)), 1e-8)
delta_J = unroll.error_signals(dhs_J, cache4).sum(axis=0)  # δ_t for each step, (T, B, H)

# %%
norms_J = np.linalg.norm(delta_J, axis=(1, 2))
fig_J = backward_graph(
    norms_J,
    losses=[2, 3],
    title=r"$J(\hat y_2, \hat y_3)$: the error signal reaches step 1, and step 4 gets none",
)
assert np.all(delta_J[3] == 0.0) and norms_J[0] > 0.5 * norms_J.max()  # δ_4 = 0, δ_1 ≠ 0
print("‖δ_t‖ for t = 1..4:", np.round(norms_J, 2), "-> δ_4 = 0 exactly, δ_1 ≠ 0")
fig_J

# %% [markdown]
# Step 1 has no loss of its own, yet $\delta_1$ is far from zero: $h_1$ fed $h_2$ and
# $h_3$, which are scored. Step 4 gets exactly zero: nothing after it is scored. When
# the loss sits only at the end, *every* gradient signal about early steps must travel
# back through the chain of $W_h$ multiplications; notebooks 02 and 03 show what that
# long product does.
#
# ## 6 · Truncated BPTT
#
# Full BPTT stores all $T$ states and cannot update before the whole sequence is read.
# Suh's remedy, "reduce $T$!", is truncated BPTT. Its forms:
# - **`truncate=k`**: the loss at step $t$ is carried back through at most $k$ recurrent
#   factors, to $h_t, \dots, h_{t-k}$ (`rnn.backward(..., truncate=k)`; $k = 0$: no
#   gradient through the recurrence; $k \ge T$: full BPTT). You implement it in Exercise 2.
# - **Sutskever's $k_1/k_2$** (2013, §2.8.6; Williams & Peng's 1990 BPTT($h$; $h'$)): read
#   the sequence forward and every $k_1$ steps run BPTT $k_2$ steps back. $k_1 = 1,
#   k_2 = k+1$ is `truncate=k`; $k_1 = k_2 = n$ keeps the state and cuts the gradient every
#   $n$ steps, the cheap scheme of real training loops (checked below).
# - Krähenbühl & Wu's "hack": **cut after $n$ steps and set $h = 0$**. That is the exact
#   gradient of another model, one that forgets every $n$ steps ("Going further").
#
# Truncation is **not** a cure for vanishing gradients: the long-range terms are set to
# exactly zero, so a truncated gradient is *biased*, not noisy. How much is missing?
# Below, the explorer's tanh RNN ($H = 8$, $T = 100$, a random $h_0$), two placements of
# the loss, and for each $k$ the relative error $\lVert g_k - g\rVert / \lVert g\rVert$
# of the truncated $\partial L/\partial W_h$.

# %%
got = unroll.tbptt_grads(dhs, cache, k1=1, k2=4)
check(
    "k1 = 1, k2 = 4 vs truncate=3", rel_error(got, rnn.backward(dhs, cache, truncate=3)[0]), 1e-12
)
_, caches_keep = unroll.chunked_forward(params, xs, 2, reset=False)  # state kept across cuts
grads_keep = unroll.chunked_backward(dhs, caches_keep)
got = unroll.tbptt_grads(dhs, cache, k1=2, k2=2)
check("k1 = k2 = 2 vs chunks of 2 steps, state kept", rel_error(got, grads_keep), 1e-12)

# %%
from helpers.explorers.nb01 import explorer_rnn  # the RNN of the explorer below

p_b, x_b, h0_b, d_b = explorer_rnn()  # H = 8, W_h scaled by 1.5, a random h_0
T_b = 100
_, c_b = rnn.forward(p_b, x_b[:T_b], h0_b)
dhs_every = d_b[:T_b]  # each ℓ_t injects an error of size about 1
dhs_last = np.zeros_like(dhs_every)
dhs_last[-1] = dhs_every[-1]
ks = np.arange(0, T_b, 2)
h_prev_b = np.concatenate([h0_b[None], c_b.hs[:-1]])  # h_{s-1} for every s
lag = np.subtract.outer(np.arange(T_b), np.arange(T_b))  # t − s
bias = {}
for name, d in (("loss at the last step only", dhs_last), ("loss at every step", dhs_every)):
    # the term of loss t at step s, δ_{t→s} h_{s-1}ᵀ, summed by lag j = t − s ≥ 0
    terms = np.einsum("tsbi,sbj->tsij", unroll.error_signals(d, c_b), h_prev_b)
    by_lag = np.stack([terms[lag == j].sum(axis=0) for j in range(T_b)])
    g_k_all = np.cumsum(by_lag, axis=0)  # truncate=k keeps the lags j <= k
    g_full = rnn.backward(d, c_b)[0]["Wh"]
    for k in (0, 10, T_b - 1):  # the lag sums against rnn.backward
        assert rel_error(g_k_all[k], rnn.backward(d, c_b, truncate=k)[0]["Wh"]) < 1e-10
    bias[name] = np.linalg.norm(g_k_all[ks] - g_full, axis=(1, 2)) / np.linalg.norm(g_full)
fig, ax = plt.subplots(figsize=(8, 3.8))
for (name, err), marker in zip(bias.items(), ("o", "s"), strict=True):
    ax.semilogy(ks, err, marker=marker, ms=3, label=name)
ax.set(
    xlabel="truncation k (recurrent factors kept)",
    ylabel=r"$\|g_k - g\| / \|g\|$ (log scale)",
    title=f"error of the truncated gradient $\\partial L/\\partial W_h$ (T = {T_b})",
)
ax.legend()
plt.show()
for name, err in bias.items():
    decades = np.log10(err[0] / err[30])  # from k = 0 to k = 60
    print(f"{name:28s} k = 0 -> k = 60: {decades:.1f} decades;  k = 10: error {err[5]:.2f}")
    assert 3.9 < decades < 4.4, decades
assert abs(bias["loss at the last step only"][5] - 0.07) < 0.01  # ks[5] = 10
assert abs(bias["loss at every step"][5] - 0.49) < 0.01

# %% [markdown]
# The error falls roughly geometrically with $k$ — about four decades from $k = 0$ to
# $k = 60$ (4.3 with the loss at the end, 4.0 with a loss at every step), the rate at which
# this network's gradient vanishes (notebooks 02–03). At $k = 10$ it is still 7 % off
# with the loss at the end and 49 % with a loss at every step (asserted above).
#
# ### The explorer: horizon and truncation
#
# The same RNN, over up to 200 steps. Left: the size of each step's contribution
# $\delta_s h_{s-1}^\top$ to $\partial L/\partial W_h$ (log scale), full BPTT in black,
# truncated after $k$ steps in orange. Right: the relative error of the truncated gradient
# for every $k$, your $k$ marked.
#
# **Predict, then slide:**
# 1. Loss at the last step only, $T = 60$, $k = 10$. Which steps contribute to the
#    truncated gradient, and which are cut? How many decades separate the contribution of
#    step 60 from that of step 1?
# 2. Keep $k = 10$ and slide $T$ from 60 to 200. Does the error of the truncated gradient
#    grow with $T$, shrink, or stay about the same?
# 3. Switch to "loss at every step". Now no step is cut off entirely — why? Is the error at
#    $k = 10$ larger or smaller than with the loss at the end?
# 4. Set $k = 0$, then $k \ge T - 1$. What is left of the gradient at $k = 0$?

# %%
ex = ALL["nb01.horizon_truncation"]()
ex

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# 1. Only steps $T-10, \dots, T$ contribute; at $T = 60$ step 1 adds about $10^{-7}$ of
#    what step 60 adds — 7.2 decades over 59 steps, one per 8 steps here (from step 200
#    back to step 1 it is one per 11: the rate varies along the sequence).
# 2. It moves up and down with $T$ but does not grow steadily: what is cut is the part
#    more than ten steps behind the loss, and its size depends on how fast the gradient
#    fades in the ten steps before $T$, not on how many steps came before.
# 3. Each step $s$ still receives the errors of the $k + 1$ losses nearest after it; but
#    the relative error at the same $k$ is larger in this network.
# 4. At $k = 0$ each loss keeps only its direct term $\varphi'(a_t) \odot
#    \partial \ell_t/\partial h_t$; at $k \ge T - 1$ the error is exactly 0.
#
# </details>
#
# The cell below checks the explorer's numbers and prints what the answers quote.

# %%
from helpers.explorers.nb01 import MODES, contributions, precompute

pre = precompute()
for T_e, k_e in ((60, 0), (60, 10), (150, 10), (200, 10)):
    _, c_e = rnn.forward(p_b, x_b[:T_e], h0_b)
    for mode in MODES:
        d = d_b[:T_e].copy()
        if mode == MODES[0]:
            d[:-1] = 0.0  # only the last step's loss
        g = rnn.backward(d, c_e)[0]["Wh"]
        direct = np.linalg.norm(rnn.backward(d, c_e, truncate=k_e)[0]["Wh"] - g) / np.linalg.norm(g)
        assert abs(contributions(T_e, k_e, mode, pre)[2][k_e] - direct) <= 1e-9 * direct
        print(f"T = {T_e:3d}, k = {k_e:2d}, {mode:27s}: relative error {direct:.3g}")
for T_e, expected in ((60, 8.2), (200, 10.7)):
    full_c = contributions(T_e, 10, MODES[0], pre)[0]
    decades = np.log10(full_c[-1] / full_c[0])
    assert abs((T_e - 1) / decades - expected) < 0.1
    print(f"loss at step {T_e} only: {decades:.1f} decades in {T_e - 1} steps")

# %% [markdown]
# ### What truncation gives up, and what it bounds
#
# With the loss at step 60 and $k = 10$, what steps 1 to 49 contribute to
# $\partial L/\partial W_h$ ranges from 2 % of step 60's share down to $10^{-7}$ of it;
# truncation makes it **exactly zero** (checked below). So truncated BPTT gets no
# gradient signal to build a memory longer than $k$ ("Going further" trains on that, 8
# seeds). What it buys: an update keeps $k_2$ states only, whatever $T$, and each loss
# term's backward signal crosses at most $k$ factors.

# %%
T_v, k_v = 60, 10
_, c_v = rnn.forward(p_b, x_b[:T_v], h0_b)
d_v = np.zeros_like(d_b[:T_v])
d_v[-1] = d_b[T_v - 1]  # the loss at step 60 only
share_full = np.linalg.norm(unroll.step_contributions(d_v, c_v)["Wh"], axis=(1, 2))
share_trunc = np.linalg.norm(unroll.step_contributions(d_v, c_v, truncate=k_v)["Wh"], axis=(1, 2))
far = slice(0, T_v - 1 - k_v)  # steps 1..49: more than k steps before the loss
assert np.all(share_full[far] > 0) and np.all(share_trunc[far] == 0.0)
assert 0.02 < share_full[far].max() / share_full[-1] < 0.03
assert 10**-7.5 < share_full[far].min() / share_full[-1] < 10**-6.5  # about 1e-7
assert np.array_equal(share_trunc[T_v - 1 - k_v :], share_full[T_v - 1 - k_v :])
print(
    f"steps 1–{T_v - 1 - k_v}: full BPTT {share_full[far].min() / share_full[-1]:.1e} to "
    f"{share_full[far].max() / share_full[-1]:.1e} of step {T_v}'s share; truncated k = {k_v}: "
    f"exactly {share_trunc[far].max():.0f}"
)

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: the BPTT loop (10–15 minutes)
#
# Write `bptt(dhs, xs, hs, h0, Wx, Wh)` for the tanh RNN of section 1, from the forward
# pass and the equations of section 4 alone: one loop backward over time that computes
# $\delta_t$ and adds up the gradient terms. Return a dict with `"Wx"`, `"Wh"`, `"b"` and
# `"h0"` ($= \partial L/\partial h_0$). `dhs[t]` is $\partial \ell_t/\partial h_t$; rows
# of `hs[t]` are sequences, so mind how $W_h^\top \delta$ reads in code when the forward
# step is `h @ Wh.T`. The checker runs your function on three random RNNs (the first with
# $T = 5$, $B = 3$, $D = 2$, $H = 4$ and a non-zero $h_0$) and names the usual mistakes.

# %%
from helpers.exercises import nb01 as ex01


def bptt(dhs, xs, hs, h0, Wx, Wh):
    """Full BPTT of a tanh RNN. dhs, hs (T,B,H); xs (T,B,D); h0 (B,H) -> dict of gradients."""
    ### BEGIN SOLUTION
    grads = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(len(Wh))}
    carry = np.zeros_like(h0)  # W_hᵀ δ_{t+1}: what the future sends back to h_t
    for t in reversed(range(len(xs))):
        delta = (1 - hs[t] ** 2) * (dhs[t] + carry)
        h_prev = hs[t - 1] if t > 0 else h0
        grads["Wh"] += delta.T @ h_prev
        grads["Wx"] += delta.T @ xs[t]
        grads["b"] += delta.sum(axis=0)
        carry = delta @ Wh
    return {**grads, "h0": carry}
    ### END SOLUTION


bptt = ex01.check_bptt(bptt)

# %% [markdown]
# ### Exercise 2: `truncate=k`, and how small $k$ may be (10 minutes)
#
# **(a)** Write `bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k)`: the same outputs, but the
# loss at each step $t$ is carried back through at most $k$ recurrent factors — it reaches
# $h_t, \dots, h_{t-k}$ and no further ($k = 0$: its own step only). The losses at steps
# $t \le k$ reach $h_0$. (Can one signal carried for all losses do this?)
#
# **(b)** On `ex01.experiment_network()` — a tanh RNN with $T = 40$, $B = 4$, $D = 3$,
# $H = 8$ and a loss at every step, returning `(dhs, xs, hs, h0, Wx, Wh)` — find the
# smallest $k$ whose gradient has a relative error below 1 %, the error measured over
# $W_x, W_h, b$ stacked into one vector: `ex01.gradient_error(g_k, g)`. Guess first.


# %%
def bptt_truncated(dhs, xs, hs, h0, Wx, Wh, k):
    """BPTT with every loss term carried back at most k steps; same shapes as bptt."""
    ### BEGIN SOLUTION
    grads = {"Wx": np.zeros_like(Wx), "Wh": np.zeros_like(Wh), "b": np.zeros(len(Wh))}
    dh0 = np.zeros_like(h0)
    for t in range(len(xs)):  # one loss term at a time
        carry = dhs[t]
        for s in range(t, max(t - k, 0) - 1, -1):  # steps t, t − 1, …, t − k
            delta = (1 - hs[s] ** 2) * carry
            grads["Wh"] += delta.T @ (hs[s - 1] if s > 0 else h0)
            grads["Wx"] += delta.T @ xs[s]
            grads["b"] += delta.sum(axis=0)
            carry = delta @ Wh
        if t < k:  # crossed t + 1 <= k factors: it reaches h_0
            dh0 += carry
    return {**grads, "h0": dh0}
    ### END SOLUTION


bptt_truncated = ex01.check_bptt_truncated(bptt_truncated)


def smallest_k():
    """The smallest k with a relative gradient error below 1 % on ex01.experiment_network()."""
    ### BEGIN SOLUTION
    args = ex01.experiment_network()
    full = bptt(*args)
    for k in range(len(args[0])):
        if ex01.gradient_error(bptt_truncated(*args, k), full) < 0.01:
            return k
    ### END SOLUTION


ex01.check_smallest_k(smallest_k)

# %% [markdown]
# ## Summary
#
# - Unrolled over $T$ steps, an RNN is a $T$-layer feed-forward network whose layers share
#   $W_x, W_h, b$.
# - A shared weight gets the **sum** of its copies' gradients,
#   $\partial L/\partial W_h = \sum_t \partial L/\partial W_h^{(t)}$.
# - BPTT carries the error signal back:
#   $\delta_t = \varphi'(a_t) \odot (\partial \ell_t/\partial h_t + W_h^\top \delta_{t+1})$,
#   then $\partial L/\partial W_h = \sum_t \delta_t h_{t-1}^\top$. Always gradient-check a
#   hand-written backward pass.
# - With a loss only on some outputs, every earlier step still gets gradient; later
#   unscored steps get none.
# - Truncated BPTT bounds the cost of an update. Its gradient is biased: the long-range
#   terms are exactly zero, so training gets no gradient signal to build a memory longer
#   than $k$. It does not cure vanishing; it sets the vanishing terms to zero.
#
# Next: **[02 · Vanishing and exploding: scalar toys](02_vanishing_and_exploding_toys.ipynb)** —
# why the long-range terms are so small (or so large) in the first place.
#
# ## Going further
#
# For self-study; the sections reuse the variables of the core.

# %% [markdown]
# ### One backward sweep, or one per loss term?
#
# Lee's slides draw the backward pass once for each
# loss term — "for $C^4$", then "for $C^3$" (our $\ell_4$, $\ell_3$) — each starting at its own output
# and running back to step 1. Because differentiation is linear, the error signals of
# those separate sweeps simply add up, and their sum at step $t$ is the $\delta_t$ that the
# single sweep of section 4 carries. `unroll.error_signals` runs the separate sweeps
# ($\delta_{t \to s} = \partial \ell_t / \partial a_s$ for every pair $s \le t$); adding
# them reproduces the gradient:

# %%
per_loss = unroll.error_signals(dhs, cache)  # (t, s, B, H): what loss t sends back to step s
h_prev = np.concatenate([np.zeros((1, B, H)), hs[:-1]])  # h_{s-1} for every s
one_sweep_per_loss = [np.einsum("sbh,sbj->hj", per_loss[t], h_prev) for t in range(T)]
for t, g in enumerate(one_sweep_per_loss):  # ℓ_1 reaches only step 1, where W_h meets h_0 = 0
    print(f"sweep for ℓ_{t + 1}: ‖∂ℓ_{t + 1}/∂W_h‖ = {np.linalg.norm(g):.4f}")
check(
    "Σ over the per-loss sweeps vs one BPTT sweep",
    rel_error(sum(one_sweep_per_loss), tied["Wh"]),
    1e-12,
)


# %% [markdown]
# ### The total gradient of an unscored state
#
# In section 5 nothing is injected at step 1 ($\partial \ell_1/\partial h_1 = 0$), yet the
# total derivative $\partial J/\partial h_1 = \partial \ell_1/\partial h_1 + W_h^\top \delta_2$
# is not zero: it collects what the later, scored steps send back. The table gives, for
# each step, what is injected, $\lVert\delta_t\rVert$, and step $t$'s share
# $\delta_t x_t^\top$ of $\partial J/\partial W_x$; the cell checks the total against finite
# differences of $J$ as a function of $h_1$. (Step 1's share of $\partial J/\partial W_h$,
# $\delta_1 h_0^\top$, is zero only because $h_0 = 0$.)

# %%
share_J = unroll.step_contributions(dhs_J, cache4)["Wx"]  # δ_t x_tᵀ: step t's share of ∂J/∂W_x
print(" t | ‖∂ℓ_t/∂h_t‖ injected | ‖δ_t‖  | ‖δ_t x_tᵀ‖")
for t in range(T4):
    print(
        f" {t + 1} | {np.linalg.norm(dhs_J[t]):20.4f} | {np.linalg.norm(delta_J[t]):6.4f} | "
        f"{np.linalg.norm(share_J[t]):.4f}"
    )


def J_from_h1(p):
    """J as a function of the state h_1 (steps 2–4 run from it)."""
    err = rnn.forward(params, xs4[1:], p["h1"])[0] @ readout["Wy"].T + readout["by"] - targets[1:T4]
    return 0.5 * float(np.sum((err * mask[1:]) ** 2))


# total ∂J/∂h_1 = ∂ℓ_1/∂h_1 + W_hᵀ δ_2, where ∂ℓ_1/∂h_1 = 0
total_h1 = dhs_J[0] + delta_J[1] @ params["Wh"]
num_h1 = numerical_gradient(J_from_h1, {"h1": hs4[0]})["h1"]
check(
    "total ∂J/∂h_1 = ∂ℓ_1/∂h_1 + W_hᵀ δ_2 vs finite differences", rel_error(total_h1, num_h1), 1e-8
)
print(
    f"‖∂ℓ_1/∂h_1‖ = {np.linalg.norm(dhs_J[0]):.0f} (nothing injected), "
    f"total ‖∂J/∂h_1‖ = {np.linalg.norm(total_h1):.2f}"
)


# %% [markdown]
# ### Truncation in detail
#
# **Cut after $n$ steps, set $h = 0$.**
#
# Split the sequence into chunks of $n$ steps and run each chunk from $h = 0$, forward and
# backward. Each chunk is short, so memory is $O(n)$ and chunks can even run in parallel.
# But look at what is computed: the **exact gradient of a different model** — one that
# forgets everything every $n$ steps. Its states differ from the real RNN's after the
# first cut. Keeping the state across the cut (`reset=False`) makes the forward pass
# exact again, and only the gradient is cut.

# %%
n = 2
hs_cut, caches_cut = unroll.chunked_forward(params, xs, n)  # h = 0 at steps 1, 3, 5
L_value, dhs_cut = loss_and_dhs(hs_cut)  # the same loss L, on the chunked model's states
grads_cut = unroll.chunked_backward(dhs_cut, caches_cut)


def L_cut(p):
    return loss_and_dhs(unroll.chunked_forward(p, xs, n)[0])[0]


check(
    "h = 0 every n steps: gradient vs finite differences of that model",
    rel_error(grads_cut, numerical_gradient(L_cut, params)),
    1e-8,
)
print(
    f"   ... but its states differ from the real RNN's: relative error {rel_error(hs_cut, hs):.3f}"
)
print(f"   ... and so does its gradient: relative error {rel_error(grads_cut, tied):.3f}")
hs_keep, caches_keep = unroll.chunked_forward(params, xs, n, reset=False)
grads_keep = unroll.chunked_backward(dhs, caches_keep)
check("state kept across the cuts: states vs the real RNN's", rel_error(hs_keep, hs), 1e-12)
print(
    f"   ... the gradient, cut every {n} steps, vs full BPTT: relative error "
    f"{rel_error(grads_keep, tied):.3f}"
)

# %% [markdown]
# **The double sum.** Write the full gradient as Leibe's slide does — a sum over loss terms $t$ and over the
# steps $s \le t$ where $W_h$ acted:
# $$\frac{\partial L}{\partial W_h} = \sum_{t=1}^{T}\sum_{s=1}^{t}
# \frac{\partial \ell_t}{\partial h_t}\,\frac{\partial h_t}{\partial h_s}\,
# \frac{\partial^+ h_s}{\partial W_h},\qquad
# \frac{\partial h_t}{\partial h_s} = \prod_{i=s+1}^{t}\frac{\partial h_i}{\partial h_{i-1}}
# = \prod_{i=s+1}^{t} \operatorname{diag}(\varphi'(a_i))\,W_h$$
# (the factor for $i = t$ on the left), where $\partial^+ h_s/\partial W_h$ is the
# "immediate" derivative with $h_{s-1}$ held fixed. **Truncation to $k$ steps** keeps only the terms with $t - s \le k$: each loss term
# is carried back through at most $k$ recurrent factors. That is `rnn.backward(..., truncate=k)`
# ($k = 0$: no gradient through the recurrence at all; $k \ge T-1$: full BPTT for the
# parameters). The double sum, built term by term with the Jacobian products on the
# six-step network of sections 3–4, is the tied gradient:

# %%
double_sum = np.zeros_like(params["Wh"])
dphi = 1 - hs**2  # φ'(a_i) for tanh
for b_i in range(B):
    h_before = np.vstack([np.zeros(H), hs[:-1, b_i]])  # h_{s-1} for every s
    for t in range(T):
        jac = np.eye(H)  # ∂h_t/∂h_s, built from s = t down to s = 1
        for s in range(t, -1, -1):
            if s < t:
                jac = jac @ (dphi[s + 1, b_i][:, None] * params["Wh"])  # × diag(φ'(a_{s+1})) W_h
            row = dhs[t, b_i] @ jac  # ∂ℓ_t/∂h_t · ∂h_t/∂h_s
            double_sum += np.outer(row * dphi[s, b_i], h_before[s])  # · ∂⁺h_s/∂W_h
check(
    "Σ_t Σ_(s≤t) of Jacobian products vs the tied gradient",
    rel_error(double_sum, tied["Wh"]),
    1e-12,
)

# %% [markdown]
# **Sutskever's $k_1/k_2$ in detail.** Sutskever (2013, §2.8.6) describes the scheme used in practice: read the sequence
# forward; **every $k_1$ steps, run BPTT for $k_2$ steps** back, and update. Williams &
# Peng (1990) had called it BPTT($h$; $h'$), with $h = k_2$ and $h' = k_1$ (here $h$, $h'$
# are step counts, not states). In a window the
# newest loss gets $k_2 - 1$ recurrent factors and the oldest $k_2 - k_1$, so:
# - $k_1 = 1,\ k_2 = k + 1$ is exactly `truncate=k` (every loss gets $k$ factors; costs
#   $O(Tk)$ if done this way);
# - $k_1 = k_2 = n$ is "keep the state, cut the gradient every $n$ steps" (cheap, $O(T)$,
#   but the loss just after a cut gets no recurrent gradient at all);
# - $k_2 = 2k_1$ is a common compromise: every loss gets at least $k_1$ factors.
#
# Here the windows' gradients are summed, not applied one by one, so they can be compared
# with the full gradient. The algorithm is short:

# %%
print(inspect.getsource(unroll.tbptt_grads))

# %%
for k in (0, 1, 3):
    ref, _ = rnn.backward(dhs, cache, truncate=k)
    check(
        f"k1 = 1, k2 = {k + 1} vs truncate={k}",
        rel_error(unroll.tbptt_grads(dhs, cache, k1=1, k2=k + 1), ref),
        1e-12,
    )
check(
    f"k1 = k2 = {n} vs chunks of {n} with the state kept",
    rel_error(unroll.tbptt_grads(dhs, cache, k1=n, k2=n), grads_keep),
    1e-12,
)
# factors per loss with k1 = 2, k2 = 4: the smallest k for which truncate=k gives that loss's
# gradient; windows end at code steps 3 and 5 (the first window, steps 1–2, reaches step 1)
for t in (2, 3, 4, 5):
    d_one = np.zeros_like(dhs)
    d_one[t] = dhs[t]
    g_win = unroll.tbptt_grads(d_one, cache, k1=2, k2=4)
    k_got = min(
        k for k in range(T) if rel_error(rnn.backward(d_one, cache, truncate=k)[0], g_win) < 1e-12
    )
    assert k_got == (4 - 1 if t % 2 == 1 else 4 - 2)  # newest k2 − 1, oldest k2 − k1
    print(
        f"loss at step {t + 1} ({'newest' if t % 2 else 'oldest'} in its window): {k_got} factors"
    )


# %% [markdown]
# ### What truncation bounds, and what it does not cure
#
# **Why does the explorer's gradient vanish at all?** (Section 6: the loss at step 60,
# $k = 10$.) Its $W_h$ has spectral radius 1.38 and
# $\lVert W_h\rVert_2 = 2.75$. But its states are partly saturated — the mean of
# $\varphi'(a_t)$ over these 60 steps is 0.56 — and the product of the factors
# $\operatorname{diag}(\varphi'(a_i))\,W_h$ shrinks by about 0.79 per step, although each
# factor alone has a norm near 2: the norm of a product can be far below the product of
# the norms. Neither $\rho(W_h)$ nor $\lVert W_h\rVert$ alone decides; notebook 03 takes
# this apart. The cell checks these numbers.

# %%
dphi_v = 1 - c_v.hs[:, 0] ** 2  # φ'(a_t), t = 1..60
factors = [dphi_v[i][:, None] * p_b["Wh"] for i in range(1, T_v)]  # diag(φ'(a_i)) W_h, i = 2..60
prod = np.linalg.multi_dot(factors[::-1])  # ∂h_60/∂h_1
per_step = np.linalg.norm(prod, 2) ** (1 / (T_v - 1))
geo_norm = np.exp(np.mean([np.log(np.linalg.norm(f, 2)) for f in factors]))
rho_v, norm_v = np.abs(np.linalg.eigvals(p_b["Wh"])).max(), np.linalg.norm(p_b["Wh"], 2)
assert (
    abs(rho_v - 1.38) < 0.005 and abs(norm_v - 2.75) < 0.005 and abs(dphi_v.mean() - 0.56) < 0.005
)
assert abs(per_step - 0.79) < 0.005 and 1.9 < geo_norm < 2.0
print(
    f"ρ(W_h) = {rho_v:.2f}, ‖W_h‖₂ = {norm_v:.2f}; mean φ'(a_t) = {dphi_v.mean():.2f}; "
    f"‖∂h_60/∂h_1‖₂ = {np.linalg.norm(prod, 2):.1e}: {per_step:.2f} per step "
    f"(factors' norms: geometric mean {geo_norm:.2f})"
)
# %% [markdown]
# What truncation *does* bound shows in the opposite case, a gradient that explodes. Take
# the plainest one: a linear RNN ($\varphi$ = identity) with $W_h = 1.1\,Q$, $Q$
# orthogonal, and the loss $L = g^\top h_T$ at the last step. Each step back multiplies the
# error signal by $W_h^\top$, so its norm grows by **exactly** 1.1 per step:
# $\lVert\delta_{T \to T-j}\rVert = 1.1^j \lVert g\rVert$. Full BPTT's
# $\partial L/\partial b = \sum_{j=0}^{T-1} (W_h^\top)^j g$ grows like $1.1^T$; truncated
# after $k$ steps it is $\sum_{j=0}^{k} (W_h^\top)^j g$ — **the same vector for every
# $T > k$**, bounded by $\lVert g\rVert \sum_{j=0}^{k} 1.1^j$ whatever $T$ is. (For tanh,
# $|\varphi'| \le 1$ gives the same kind of bound, with $\lVert W_h\rVert_2$ in place of
# 1.1: loose, but independent of $T$. The cell checks it on a tanh network whose error
# signals grow as they go back, up to 310-fold here.)

# %%
H_x, k_x, gain = 8, 10, 1.1
rng_x = np.random.default_rng(3)
Q, _ = np.linalg.qr(rng_x.normal(size=(H_x, H_x)))
p_x = {"Wx": rng_x.normal(size=(H_x, 1)), "Wh": gain * Q, "b": np.zeros(H_x)}
x_x = rng_x.normal(size=(200, 1, 1))
g_x = rng_x.normal(size=(1, H_x))  # L = g·h_T: the error injected at the last step
lengths_x = np.array([5, 10, 20, 50, 100, 150, 200])
db_full, db_trunc, dWh_trunc = [], [], []
for T_x in lengths_x:
    _, c_x = rnn.forward(p_x, x_x[:T_x], activation="linear")
    d_x = np.zeros((T_x, 1, H_x))
    d_x[-1] = g_x
    db_full.append(rnn.backward(d_x, c_x)[0]["b"])
    g_trunc = rnn.backward(d_x, c_x, truncate=k_x)[0]
    db_trunc.append(g_trunc["b"])
    dWh_trunc.append(np.linalg.norm(g_trunc["Wh"]))
n_full = np.linalg.norm(db_full, axis=1)
n_trunc = np.linalg.norm(db_trunc, axis=1)

sig_x = unroll.error_signals(d_x, c_x)[-1, :, 0]  # what the loss at step T = 200 sends back
lags = T_x - 1 - np.arange(T_x)
growth = np.linalg.norm(sig_x, axis=1) / (gain**lags * np.linalg.norm(g_x))
check("‖δ_{T→T−j}‖ = 1.1^j ‖g‖ for j = 0..199", np.abs(growth - 1).max(), 1e-10)
bound = np.linalg.norm(g_x) * (gain ** (k_x + 1) - 1) / (gain - 1)
same = max(rel_error(db, db_trunc[-1]) for db in db_trunc[2:])  # T = 20 … 200, all > k
check("truncated ∂L/∂b: the same vector for every T > k", same, 1e-12)
assert n_trunc.max() <= bound
print(f"bound ‖g‖ Σ_(j≤{k_x}) 1.1^j = {bound:.1f}")
print("    T | full BPTT ‖∂L/∂b‖ | truncated k = 10")
for T_x, a, b_ in zip(lengths_x, n_full, n_trunc, strict=True):
    print(f"  {T_x:3d} | {a:17.3g} | {b_:.3g}")
ratio = n_full[-1] / n_full[4]
assert abs(ratio / gain**100 - 1) < 0.05
print(f"full BPTT from T = 100 to 200: × {ratio:.3g} (1.1^100 = {gain**100:.3g})")

# the tanh bound on a tanh network with an exploding gradient: ‖δ_{t→s}‖ <= ‖W_h‖₂^(t−s) ‖g_t‖
p_t = rnn.init(1, H_x, rng=np.random.default_rng(1), scale=3.0)
_, c_t = rnn.forward(p_t, x_x[:100] * 0.5, np.tanh(rng_x.normal(size=(1, H_x))))
g_t = rng_x.normal(size=(100, 1, H_x))
sig_t = np.linalg.norm(unroll.error_signals(g_t, c_t)[:, :, 0], axis=-1)  # (t, s)
t_i, s_i = np.indices(sig_t.shape)
allowed = np.linalg.norm(p_t["Wh"], 2) ** (t_i - s_i) * np.linalg.norm(g_t[:, 0], axis=1)[:, None]
below = s_i <= t_i
assert np.all(sig_t[below] <= allowed[below] * (1 + 1e-12))
gain_t = (sig_t / np.linalg.norm(g_t[:, 0], axis=1)[:, None])[below].max()
assert 300 < gain_t < 320
print(
    f"tanh, ‖W_h‖₂ = {np.linalg.norm(p_t['Wh'], 2):.2f}: every ‖δ_t→s‖ is within the bound; "
    f"the largest ‖δ_t→s‖ / ‖g_t‖ is {gain_t:.2g}"
)

# %% [markdown]
# That bound is for $\partial L/\partial b$ — the error signal itself — with **one** loss
# term. The weight gradients also contain the forward states,
# $\partial L/\partial W_h = \sum_s \delta_s h_{s-1}^\top$ (and $\delta_s x_s^\top$ for
# $W_x$). With tanh, $\lVert h\rVert \le \sqrt H$, so they stay bounded too; but in a
# linear RNN whose *states* explode, the truncated $\partial L/\partial W_h$ explodes with
# them — truncation cuts the backward product, not the forward one. And with a loss at
# every step the truncated gradient is a sum of $T$ such terms, so its bound grows
# linearly in $T$. The cell checks the first two on the linear network above, and the
# last on the tanh network:

# %%
h_norm = np.linalg.norm(c_x.hs[:, 0], axis=1)  # the states of the linear RNN, T = 200
print("linear RNN, truncated k = 10:   T | ‖∂L/∂b‖ | ‖∂L/∂W_h‖ | ‖h_(T−1)‖")
for T_x, nb, nw in zip(lengths_x, n_trunc, dWh_trunc, strict=True):
    if T_x in (20, 200):
        print(f"{'':31s}{T_x:3d} | {nb:7.3g} | {nw:9.3g} | {h_norm[T_x - 2]:.3g}")
i20, i200 = list(lengths_x).index(20), list(lengths_x).index(200)
assert abs(n_trunc[i200] / n_trunc[i20] - 1) < 1e-12  # ∂L/∂b: the same
assert dWh_trunc[i200] / dWh_trunc[i20] > 1e6  # ∂L/∂W_h: explodes with the states
# tanh, a loss at every step: ‖truncated ∂L/∂b‖ <= Σ_t ‖g_t‖ Σ_(j≤k) ‖W_h‖₂^j, linear in T
for T_l in (50, 100):
    c_l = rnn.forward(p_t, x_x[:T_l] * 0.5, c_t.h0)[1]
    db_l = rnn.backward(g_t[:T_l], c_l, truncate=k_x)[0]["b"]
    w2 = np.linalg.norm(p_t["Wh"], 2)
    bound_l = np.linalg.norm(g_t[:T_l, 0], axis=1).sum() * (w2 ** (k_x + 1) - 1) / (w2 - 1)
    assert np.linalg.norm(db_l) <= bound_l
    assert np.all(np.abs(c_l.hs) <= 1)  # |h| <= 1 entry-wise, so ‖h‖ <= √H
    print(
        f"tanh, loss at every step, T = {T_l:3d}: truncated ‖∂L/∂b‖ = {np.linalg.norm(db_l):.3g}"
        f" <= bound {bound_l:.3g}"
    )

# %% [markdown]
# So "reduce $T$" buys two real things — a bounded cost per update and a backward error
# signal that cannot grow beyond $\lVert g\rVert\sum_{j \le k}\lVert W_h\rVert^j$ per loss
# term (for one loss term $\lVert\partial L/\partial b\rVert$ obeys that bound whatever $T$;
# the weight gradients also carry the states) — and pays for
# them with exactly the long-range terms that vanish. It does not cure vanishing: a term
# that was $10^{-7}$ becomes 0. The cures for vanishing (notebook 05) change the network
# so that those terms stay large; clipping (notebook 04) is the other way to tame the
# explosion without truncating.


# %% [markdown]
# ### What truncated BPTT gets no gradient for: a training experiment
#
# Suh's warning: with truncated BPTT "the model cannot learn long-term patterns", and if
# the network does not keep its memory well, "the states fade away quickly". Here is the
# smallest experiment that tests it. Each sequence has $T = 10$ steps and two input
# channels: channel 1 holds a value $v \sim U[-1, 1]$ at step 1 and zeros after; channel 2
# is noise $U[-1, 1]$ at every step. The target, read at step 10, is $v$: the network must
# carry $v$ across 9 recurrent steps through the noise. Predicting 0 (knowing nothing of
# $v$) scores the variance of $v$, $\text{MSE} = 1/3$.
#
# With truncation $k$, the loss at step 10 sends its error back to steps $10-k, \dots, 10$
# only; for $k < 9$ it never reaches step 1, where $v$ enters. The weights that read
# channel 1 (the first column of $W_x$) act only at step 1, since the channel is zero
# after it, so their truncated gradient is exactly zero — not small, zero — whatever the
# parameters are. The cell checks it at the start of training and at random parameters;
# it also checks that $k = 9$, which reaches step 1, gives exactly full BPTT's gradient.

# %%
from helpers import optim, stacking
from helpers.stats import rate_text

T_task, H_task = 10, 8


def remember_first(rng, batch=32):
    """xs (10, batch, 2): channel 0 = v at step 1 only, channel 1 = noise; ys = v, (batch,)."""
    xs = np.zeros((T_task, batch, 2))
    xs[0, :, 0] = rng.uniform(-1, 1, size=batch)
    xs[:, :, 1] = rng.uniform(-1, 1, size=(T_task, batch))
    return xs, xs[0, :, 0].copy()


def start_params(seed=0, zero_start=True):
    """A seeded RNN with a read-out; zero_start: the weights that read v start at zero."""
    rng = np.random.default_rng(seed)
    p = rnn.init(2, H_task, rng=rng)
    if zero_start:
        p["Wx"][:, 0] = 0.0  # nothing is known about v at the start
    p.update(train.readout_init(H_task, 1, rng=rng))
    return p


# the gradient of the weights that read v, for several truncations
xs_t, ys_t = remember_first(np.random.default_rng(5))
for k in (0, 4, 8, 9, None):
    _, g = train.loss_and_grads(rnn, start_params(), xs_t, ys_t, truncate=k)
    print(f"truncate={k!s:4s}: ‖∂L/∂W_x[:, 0]‖ = {np.linalg.norm(g['Wx'][:, 0]):.3g}")
for seed in range(8):  # zero for any parameters when k < 9; k = 9 is full BPTT
    p_rand = start_params(seed, zero_start=False)
    g_full = train.loss_and_grads(rnn, p_rand, xs_t, ys_t)[1]
    assert np.linalg.norm(g_full["Wx"][:, 0]) > 0
    for k in (0, 4, 8):
        g_k = train.loss_and_grads(rnn, p_rand, xs_t, ys_t, truncate=k)[1]
        assert np.all(g_k["Wx"][:, 0] == 0)
    assert rel_error(train.loss_and_grads(rnn, p_rand, xs_t, ys_t, truncate=9)[1], g_full) < 1e-15
    # k = 0: the gradient of W_h is step 10's term alone, δ_10 h_9ᵀ
    hs_r = rnn.forward({name: p_rand[name] for name in rnn.PARAM_NAMES}, xs_t)[0]
    err_r = hs_r[-1] @ p_rand["Wy"][0] + p_rand["by"][0] - ys_t  # loss = mean(err²)
    delta_10 = (1 - hs_r[-1] ** 2) * (2 * err_r / len(err_r))[:, None] * p_rand["Wy"][0]
    g_0 = train.loss_and_grads(rnn, p_rand, xs_t, ys_t, truncate=0)[1]["Wh"]
    assert rel_error(g_0, delta_10.T @ hs_r[-2]) < 1e-12
print("k < 9: exactly 0 at 8 random parameter sets; k = 9: full BPTT's gradient")
print("k = 0: ∂L/∂W_h = δ_10 h_9ᵀ (step 10's term alone) at the same 8 parameter sets")

# %% [markdown]
# We train with `helpers.train.fit`: 200 updates of 32 fresh sequences, 8 seeds (each seed
# draws its own initial weights and its own data). A model's *final MSE* is its training
# loss averaged over the last 20 updates (sequences it has not seen before, so it measures
# generalisation too); a seed counts as a success when that is below 0.1, under a third of
# the $1/3$ scored by knowing nothing. The optimizer is Adam, which notebook 06
# explains — it scales each weight's step by running averages of its past gradients. The
# zero-start result does not depend on that choice: a gradient of exactly zero gives a
# step of exactly zero with SGD and Adam alike (the cell asserts that those weights never
# move). The random-start results may.
#
# Two starts. **Zero start**: $W_x[:, 0] = 0$, so at the start the network knows nothing
# of $v$, and everything it learns about $v$ must come through the gradient of those
# weights. **Random start**: the ordinary initialisation, so $v$ enters the state from the
# first step. Five arms, 8 seeds each, so that start and truncation change one at a time:
# zero start with $k = 8$ and with full BPTT; random start with full BPTT, with $k = 0$,
# and with $k = 0$ and $W_h$ frozen (the ablation for the explanation below). The 40 models
# train together as three stacks (`helpers.stacking`: one batch of stacked matrix
# products; model $m$ of a stack computes exactly what a separate run would).

# %%
SEEDS = list(range(8))


class AdamFrozenWh(optim.Adam):
    """Adam that never moves W_h in the models where ``frozen`` is True (its gradient is set
    to zero there, and Adam's step for a gradient that was always zero is exactly zero)."""

    def __init__(self, lr, frozen):
        super().__init__(lr)
        self.frozen = np.asarray(frozen)

    def step(self, params, grads, **kwargs):
        return super().step(
            params,
            {**grads, "Wh": np.where(self.frozen[:, None, None], 0.0, grads["Wh"])},
            **kwargs,
        )


def run_stack(k, zero_starts, frozen=None):
    """Train one model per (seed, start) as one stack, 200 Adam updates of 32 fresh sequences
    each. Model i: seed SEEDS[i % 8], its own data. Returns (start stack, final stack, loss (200, M))."""
    seeds = [SEEDS[i % len(SEEDS)] for i in range(len(zero_starts))]
    data_rngs = [np.random.default_rng(100 + seed) for seed in seeds]

    def data(step):  # each model its own batch: xs (M, T, B, 2), ys (M, B)
        batches = [remember_first(r) for r in data_rngs]
        return np.stack([x for x, _ in batches]), np.stack([y for _, y in batches])

    start = stacking.stack(
        [start_params(seed, z) for seed, z in zip(seeds, zero_starts, strict=True)]
    )
    opt = optim.Adam(lr=0.02) if frozen is None else AdamFrozenWh(0.02, frozen)
    final, hist = train.fit(rnn, start, data, steps=200, optimizer=opt, truncate=k)
    return start, final, hist.arrays()[0]


zero, rand = [True] * 8, [False] * 8
full = run_stack(None, zero + rand)  # zero start and random start, full BPTT
k0 = run_stack(0, rand + rand, frozen=rand + [True] * 8)  # random start, k = 0, W_h free / frozen
k8 = run_stack(8, zero)  # zero start, k = 8
arms = {"zero start, k = 8": k8}  # name: (start stack, final stack, loss (200, 8))
for name, (res, part) in {
    "zero start, full BPTT": (full, slice(0, 8)),
    "random start, full BPTT": (full, slice(8, 16)),
    "random start, k = 0": (k0, slice(0, 8)),
    "random start, k = 0, W_h frozen": (k0, slice(8, 16)),
}.items():
    start, final, loss = res
    arms[name] = (
        {n: v[part] for n, v in start.items()},
        {n: v[part] for n, v in final.items()},
        loss[:, part],
    )
final_mse = {name: loss[-20:].mean(axis=0) for name, (_, _, loss) in arms.items()}

fig, ax = plt.subplots(figsize=(8.5, 4.2))
ax.axhline(1 / 3, color=style.NEUTRAL, ls=(0, (6, 2, 1, 2, 1, 2)), lw=0.8, zorder=0,
           label="predict 0: MSE = 1/3")
looks = {  # colour, line style, width
    "zero start, k = 8": (style.COLORS["vermillion"], "--", 2.6),
    "zero start, full BPTT": (style.COLORS["blue"], "-", 1.6),
    "random start, full BPTT": (style.COLORS["sky"], "-", 1.6),
    "random start, k = 0": (style.COLORS["green"], ":", 2.0),
    "random start, k = 0, W_h frozen": (style.COLORS["purple"], "-.", 1.6),
}
steps_smooth = np.arange(10, 201)  # the mean of updates t − 9 … t, drawn at update t
for name, (_, _, loss) in arms.items():
    color, ls, lw = looks[name]
    smooth = np.stack([np.convolve(l, np.ones(10) / 10, mode="valid") for l in loss.T])
    lo, med, hi = np.percentile(smooth, [10, 50, 90], axis=0)
    ax.fill_between(steps_smooth, lo, hi, color=color, alpha=0.15, lw=0)
    dots = {"marker": "o", "ms": 4, "markevery": (5, 20)} if "random start, full" in name else {}
    ax.semilogy(steps_smooth, med, color=color, ls=ls, lw=lw, label=name, **dots)
ax.set(
    xlabel="update",
    ylabel="training MSE, mean of 10 updates\n(median of 8 seeds, 10–90 % band; log scale)",
    title="remember the value from step 1 until step 10 (8 seeds per arm)",
    xlim=(0, 200),
)
ax.legend(loc="lower left", fontsize=9)
plt.show()
for name, mse in final_mse.items():
    lo, med, hi = np.percentile(mse, [10, 50, 90])
    print(
        f"{name:32s}: final MSE median {med:.2g} (10–90 %: {lo:.2g}–{hi:.2g}), "
        f"{rate_text(int(np.sum(mse < 0.1)), 8)} below 0.1"
    )
for name in ("zero start, k = 8", "random start, k = 0", "random start, k = 0, W_h frozen"):
    start, final, _ = arms[name]  # truncated: the weights that read v end where they started
    assert np.array_equal(start["Wx"][:, :, 0], final["Wx"][:, :, 0])
assert np.array_equal(
    arms["random start, k = 0, W_h frozen"][0]["Wh"],
    arms["random start, k = 0, W_h frozen"][1]["Wh"],
)
assert np.sum(final_mse["zero start, k = 8"] < 0.1) == 0 and np.all(
    final_mse["zero start, k = 8"] > 0.3
)
assert np.all(final_mse["zero start, full BPTT"] < 0.1) and np.all(
    final_mse["random start, full BPTT"] < 0.1
)
assert np.sum(final_mse["random start, k = 0"] < 0.1) == 6
# k = 0 worse than full BPTT from the same start: the 10–90 % ranges do not overlap
assert np.percentile(final_mse["random start, full BPTT"], 90) < np.percentile(
    final_mse["random start, k = 0"], 10
)
assert np.sum(final_mse["random start, k = 0, W_h frozen"] < 0.1) == 0

# %% [markdown]
# **Zero start.** Truncated to 8 steps — one short of the lag — training never moves the
# weights that read $v$: they stay exactly zero and the loss stays near $1/3$, the score
# of knowing nothing about $v$, in all 8 seeds (median final MSE 0.34, 0/8 below 0.1,
# 95 % Wilson interval 0–0.32): the gradient of those weights is exactly zero for any
# parameters (checked above). Full BPTT from the same start learns to carry $v$ across
# the noise in every seed (8/8, interval 0.68–1, median 0.0023; $k = 9$ would do exactly
# the same: its gradient is full BPTT's).
#
# **Random start.** Full BPTT learns in every seed here too (8/8, median 0.0031). With
# $k = 0$ — no gradient through the recurrence at all — the weights that write $v$ into
# the state again end exactly where they started. Yet 6 of the 8 seeds get below MSE 0.1
# (interval 0.41–0.93; median 0.05, 10–90 %: 0.029–0.15): worse than full BPTT from the
# same start (its 10–90 % range, 0.0014–0.0064, lies entirely below), far better than the
# zero start. With $W_h$ frozen as well, 0 of 8 do (interval 0–0.32; median 0.28). Is the
# $k = 0$ result only a better read-out of a memory the random network already had? The
# next cell measures how much the *state* $h_{10}$ knows about $v$: the error of the best
# linear read-out of $v$ from $h_{10}$ (least squares on 2000 fresh sequences), before
# and after training, with $W_h$ free and frozen.

# %%
xs_m, ys_m = remember_first(np.random.default_rng(7), batch=2000)


def memory_mse(p):
    """MSE of the best linear read-out of v from h_10 (least squares, with a constant)."""
    h_last = rnn.forward({name: p[name] for name in rnn.PARAM_NAMES}, xs_m)[0][-1]
    A = np.column_stack([h_last, np.ones(len(ys_m))])
    coef = np.linalg.lstsq(A, ys_m, rcond=None)[0]
    return float(np.mean((A @ coef - ys_m) ** 2))


def unstacked(p):
    """The 8 models of a stack, one parameter dict each."""
    return [stacking.unstack(p, m) for m in range(len(p["Wh"]))]


print("what h_10 knows of v (8 seeds; 1/3 = nothing): median (10–90 %)")
memory = {}
for name in ("random start, k = 0", "random start, k = 0, W_h frozen"):
    start, final, _ = arms[name]
    memory[name] = [np.array([memory_mse(p) for p in unstacked(q)]) for q in (start, final)]
    for when, m in zip(("before", "after "), memory[name], strict=True):
        lo, med, hi = np.percentile(m, [10, 50, 90])
        print(f"  {name:32s} {when} training: {med:.2g} ({lo:.2g}–{hi:.2g})")
before, after = memory["random start, k = 0"]
assert np.median(after) < 0.2 * np.median(before)  # W_h free: the state learns to carry v
frozen_after = memory["random start, k = 0, W_h frozen"][1]
assert np.median(frozen_after) > 0.7 * np.median(before)  # W_h frozen: hardly

# %% [markdown]
# The state itself carries $v$ better after training with $k = 0$ (median 0.3 before,
# 0.037 after), although no gradient term linked the loss at step 10 to anything before
# step 10 — and with $W_h$ frozen it hardly does (0.26 after). So it is the change of
# $W_h$ that carries $v$ further: a side effect of sharing. $W_h$ is the same at every
# step, so a change made for the short-range terms (the $k = 0$ gradient of $W_h$ is
# $\delta_{10} h_9^\top$, step 10's alone) changes the whole chain, and here it happened to
# carry $v$ further. (Eight seeds of one small task, one learning rate: a demonstration
# that this can happen, not a rate to expect elsewhere.) So the honest statement is
# narrower than Suh's "cannot learn": **truncated BPTT gets no gradient signal to build a
# memory longer than $k$**. It can use a longer memory that the network's dynamics
# provide — by the random start, or as a by-product of shared weights — but it never aims
# at one, and where nothing provides it (the zero start) it learns nothing. Learning to
# remember on purpose requires a gradient that reaches back as far as the memory must;
# that is why the real fixes for long dependencies (notebook 05) change the network so
# that the full gradient survives the trip, rather than shortening the trip.


# %% [markdown]
# ### Memory against computation: full BPTT, truncation, checkpointing
#
# The backward pass needs every $h_t$ (for $\varphi'(a_t)$ and for $\delta_t h_{t-1}^\top$),
# so the forward pass must **store all $T$ states**: memory grows linearly with $T$. Time
# grows linearly too, and the two sweeps are sequential — step $t$ cannot start before step
# $t-1$ is done, and no gradient is available until the whole sequence has been read.
# `rnn.Cache.nbytes` counts what is stored: inputs, initial state and states,
# $8\,(TBD + TBH + BH)$ bytes in float64.

# %%
B_cost, D_cost, H_cost = 16, 32, 64
p_cost = rnn.init(D_cost, H_cost, rng=np.random.default_rng(0))


def stored_bytes(T, B, D, H):
    """Inputs, initial state and states in float64: 8 (TBD + TBH + BH) bytes."""
    return 8 * (T * B * D + T * B * H + B * H)


for T_cost in (10, 100, 1000):
    _, c = rnn.forward(p_cost, np.zeros((T_cost, B_cost, D_cost)))
    assert c.nbytes == stored_bytes(T_cost, B_cost, D_cost, H_cost)
print("the formula matches cache.nbytes; for a batch of 32, D = 256, H = 1024:")
print("      T | stored activations")
for T_cost in (10, 100, 1000, 10000):
    print(f"{T_cost:7d} | {stored_bytes(T_cost, 32, 256, 1024) / 2**20:9.1f} MiB")

# %% [markdown]
# Truncation bounds this cost. In Sutskever's scheme an update backpropagates through
# the last $k_2$ states only, so only those must be kept: memory $O(k_2)$ and time
# $O(k_2)$ per update, whatever the length of the sequence. For $k_1 = k_2 = 10$ over
# $T = 1000$ steps (the network above), each window's cache holds 10 states:

# %%
x_long = np.random.default_rng(2).normal(size=(1000, B_cost, D_cost))
_, windows = unroll.chunked_forward(p_cost, x_long, 10, reset=False)
_, c_long = rnn.forward(p_cost, x_long)
assert all(w.nbytes == stored_bytes(10, B_cost, D_cost, H_cost) for w in windows)
assert c_long.nbytes == stored_bytes(1000, B_cost, D_cost, H_cost)
print(
    f"one window: {windows[0].nbytes / 2**10:.0f} KiB; full BPTT over T = 1000: "
    f"{c_long.nbytes / 2**20:.1f} MiB"
)

# %% [markdown]
# **Gradient checkpointing** (Chen et al. 2016; Gruslys et al. 2016 for RNNs) buys memory
# with computation and leaves the gradient exact. The forward pass keeps only the state at
# the start of every segment of $s = \lceil\sqrt T\,\rceil$ steps. The backward pass takes
# the segments from last to first: it reruns each one forward from its checkpoint,
# backpropagates through it, and hands $\partial L/\partial h$ at the segment's start to
# the segment before. At most $\lceil T/s\rceil$ checkpoints and one segment of $s$ states
# are alive at once, about $2\sqrt T$ states instead of $T$, for one extra forward pass
# (`helpers.checkpoint`). The cell checks the gradient on the six-step network of
# sections 3–4 (segments of 2 and of $\lceil\sqrt 6\,\rceil = 3$ steps) against full BPTT
# and finite differences, then counts the floats of hidden state kept at once.

# %%
from helpers import checkpoint

for stride in (2, None):  # None: ⌈√T⌉
    _, ckpt = checkpoint.forward(params, xs, stride=stride)
    g_ck, dh0_ck, rerun = checkpoint.backward(dhs, ckpt)
    check(f"checkpointed (stride {ckpt.stride}) vs full BPTT", rel_error(g_ck, tied), 1e-12)
    check(
        f"checkpointed (stride {ckpt.stride}) vs finite differences",
        rel_error(g_ck, numeric_tied),
        1e-8,
    )
    assert rerun == T  # every step computed twice forward
B_c, D_c, H_c = 4, 2, 16  # a small network: the counts scale with B·H
p_c = rnn.init(D_c, H_c, rng=np.random.default_rng(0))
print("     T | full BPTT: T·B·H | checkpointing: (⌈T/s⌉ + s)·B·H | 2√T·B·H | ratio")
for T_c in (100, 400, 1600):
    x_c = np.random.default_rng(T_c).normal(size=(T_c, B_c, D_c))
    _, ckpt = checkpoint.forward(p_c, x_c)
    full_floats, ck_floats, s = T_c * B_c * H_c, ckpt.peak_state_floats, ckpt.stride
    assert ck_floats == (-(-T_c // s) + s) * B_c * H_c <= (2 * np.sqrt(T_c) + 2) * B_c * H_c
    assert ck_floats == checkpoint.stored_states(T_c, method="checkpoint") * B_c * H_c
    print(
        f"{T_c:6d} | {full_floats:16,d} | {ck_floats:30,d} | {2 * np.sqrt(T_c) * B_c * H_c:7,.0f}"
        f" | {full_floats / ck_floats:.1f}"
    )
assert rnn.forward(p_c, x_c)[1].hs.size == full_floats  # full BPTT keeps T·B·H floats
assert full_floats / ck_floats == 20  # T = 1600: 80 states instead of 1600


# %% [markdown]
# Memory falls from $T$ to about $2\sqrt T$ states (20 times less at $T = 1600$), and the
# computation grows from two sweeps to three: $T$ forward steps, $T$ recomputed, $T$
# backward, so about 1.5 times full BPTT's step count. Time is another matter:
# `benchmarks/bench_checkpoint.py` measures it as a ratio to full BPTT in the same run, and
# one run on the course's shared 2-core machine (B = 32, H = 64; `benchmarks/results/
# checkpoint.json`) gave 2.5–2.8 at T = 400–1600 and 5.2 at T = 100: more than the count,
# because every short segment pays the fixed cost of a call to `rnn.forward` and
# `rnn.backward`. The table
# compares the three ways for one gradient over $T$ steps: full BPTT, truncation with
# $k_1 = k_2 = 20$ (bounded memory, but a biased gradient) and checkpointing (the exact
# gradient). The counts come from `checkpoint.stored_states` (checked above against the
# checkpoints kept) and `checkpoint.step_evaluations`.

# %%
methods = {"full": "full BPTT", "truncated": "k1 = k2 = 20", "checkpoint": "checkpointing"}
print("hidden states kept at once (× B·H floats) for one gradient over T steps")
print("      T | " + " | ".join(f"{label:>13s}" for label in methods.values()))
for T_c in (10, 100, 1000, 10000):
    row = [checkpoint.stored_states(T_c, method=m, k2=20) for m in methods]
    print(f"{T_c:7,d} | " + " | ".join(f"{n:13,d}" for n in row))
work = [checkpoint.step_evaluations(1000, method=m) / 1000 for m in methods]
print("step evaluations per time step:", " | ".join(f"{w:.0f}" for w in work))
assert [checkpoint.stored_states(10000, method=m, k2=20) for m in methods] == [10000, 20, 200]
assert [checkpoint.step_evaluations(100, method=m) for m in methods] == [200, 200, 300]


# %% [markdown]
# ### Randomized truncation: unbiased, at the price of variance
#
# Fixed truncation is *biased*: it always drops the same long-range terms (section 6).
# Tallec & Ollivier (2017) remove the bias by truncating at random places and giving the
# kept terms compensation factors. In the form that Zhang et al. (*Dive into Deep
# Learning*, Cambridge University Press edition, 2023, §9.7) give: at each step $s$ of the
# backward sweep a coin $\xi_s$ decides
# whether the error signal passes on to step $s-1$; it passes with probability $\pi$,
# and then it is multiplied by $1/\pi$:
# $$\xi_s = \begin{cases} 1/\pi & \text{with probability } \pi \\ 0 & \text{with probability } 1-\pi\end{cases}, \qquad E[\xi_s] = 1 .$$
# The term linking the loss at step $t$ to step $s$ survives the $t-s$ coins between
# them with probability $\pi^{t-s}$ and then carries the weight $\pi^{-(t-s)}$, so its
# expected value is the term itself: **the expected gradient is full BPTT's**. The
# backward sweep is the `bptt` loop of Exercise 1 with one change, the coin on the carry
# (`helpers.truncation`, many draws at once):

# %%
from helpers import truncation

print(inspect.getsource(truncation.randomized_backward))

# %% [markdown]
# *Unbiased* is an identity, so it can be checked exactly. On the six-step network of
# sections 3–4, enumerate all $2^5$ coin patterns of steps 2–6 (the coin of step 1 only
# touches $\partial L/\partial h_0$), weight each gradient by its probability, and add:

# %%
keep = 0.7
patterns = np.array(np.meshgrid(*[[0.0, 1.0]] * (T - 1), indexing="ij")).reshape(T - 1, -1).T
coins_all = np.column_stack([np.ones(len(patterns)), patterns])  # (32, T): step 1's coin = 1
prob = np.prod(np.where(patterns == 1, keep, 1 - keep), axis=1)  # probability of each pattern
g_all, _ = truncation.randomized_backward(dhs, cache, keep=keep, coins=coins_all)
expected = {name: np.einsum("n,n...->...", prob, g) for name, g in g_all.items()}
assert abs(prob.sum() - 1) < 1e-12
check("E[randomized gradient] vs finite differences", rel_error(expected, numeric_tied), 1e-8)
check("E[randomized gradient] vs full BPTT", rel_error(expected, tied), 1e-12)
no_pass = {name: g[0] for name, g in g_all.items()}  # coins all 0: every signal cut at once
check(
    "coins all 0 vs truncate=0", rel_error(no_pass, rnn.backward(dhs, cache, truncate=0)[0]), 1e-12
)

# %% [markdown]
# The price is variance: a long survival is rare and carries a large weight. Take the
# explorer's network over $T = 60$ steps with a loss at every step, and $\pi = 0.9$, so
# that a signal survives $j$ steps with probability $0.9^j$ — on average
# $\sum_{j \ge 1} 0.9^j = \pi/(1-\pi) = 9$ steps, close to fixed truncation with $k = 10$
# (checked below). Below: 2000 random draws, the error of each one, and
# the error of their running mean, against the bias of $k = 10$ and against the
# $1/\sqrt{N}$ decay of an average of independent draws.

# %%
T_r, keep_r, n_draws = 60, 0.9, 2000
# mean number of steps a signal survives: Σ_{j≥1} π^j = π/(1 − π), and counted on random coins
mean_survival = np.sum(keep_r ** np.arange(1, 2000))
runs_of_ones = np.argmin(
    truncation.draw_coins(400, keep=keep_r, draws=20000, rng=np.random.default_rng(9)), axis=1
)
assert abs(mean_survival - keep_r / (1 - keep_r)) < 1e-9 and abs(runs_of_ones.mean() / 9 - 1) < 0.03
print(
    f"mean survival: Σ 0.9^j = {mean_survival:.3f}; "
    f"counted on 20000 draws: {runs_of_ones.mean():.2f} steps"
)
_, c_r = rnn.forward(p_b, x_b[:T_r], h0_b)
d_r = d_b[:T_r]  # a loss at every step
g_true = rnn.backward(d_r, c_r)[0]["Wh"]
coins_r = truncation.draw_coins(T_r, keep=keep_r, draws=n_draws, rng=np.random.default_rng(4))
G = truncation.randomized_backward(d_r, c_r, keep=keep_r, coins=coins_r)[0]["Wh"]  # (N, H, H)
scale = np.linalg.norm(g_true)
each = np.linalg.norm(G - g_true, axis=(1, 2)) / scale  # error of single draws
n_seen = np.arange(1, n_draws + 1)
running = np.cumsum(G, axis=0) / n_seen[:, None, None]
of_mean = np.linalg.norm(running - g_true, axis=(1, 2)) / scale
spread = np.sqrt(np.mean(each**2))  # root-mean-square error of one draw
fixed_bias = np.linalg.norm(rnn.backward(d_r, c_r, truncate=10)[0]["Wh"] - g_true) / scale

lo, med, hi = np.percentile(each, [10, 50, 90])
print(f"fixed k = 10: relative error {fixed_bias:.3g}, the same at every update (bias)")
print(f"one randomized draw: median {med:.2g} (10–90 %: {lo:.2g}–{hi:.2g})")
print("     N | ‖mean of N draws − g‖ / ‖g‖ | RMS of one draw / √N")
for n in (3, 10, 30, 100, 300, 1000, 2000):
    print(f"{n:6d} | {of_mean[n - 1]:27.2g} | {spread / np.sqrt(n):.2g}")
below = np.flatnonzero(of_mean >= fixed_bias)
print(f"the running mean stays below the bias of k = 10 from N = {below[-1] + 2} on")
assert of_mean[-1] < 3 * spread / np.sqrt(n_draws) and of_mean[-1] < 0.2 * fixed_bias
assert med > fixed_bias  # a single draw is worse than the biased fixed truncation
assert abs(med - 0.8) < 0.05 and abs(fixed_bias - 0.262) < 0.005 and below[-1] + 2 <= 10

# %% [markdown]
# A single randomized draw is *further* from the true gradient than fixed truncation
# (median 0.8 against 0.26 here, for this network, one seed of coins). Only averages
# close in on the true gradient, at the rate $1/\sqrt{N}$ of any unbiased noisy
# estimate; here the running mean stays below the fixed truncation's bias from $N = 9$
# draws on, and the fixed truncation's error never shrinks, however many updates add
# up. Whether the trade pays in training is an empirical question that this notebook
# does not test: Tallec & Ollivier report a synthetic task where fixed truncation is
# unreliable and the randomized, reweighted version converges, and a small gain on
# character-level Penn Treebank; Zhang et al. note that in practice randomized
# truncation "does not work much better than regular truncation", the added variance
# being one likely reason.
#
# ## References
#
# - Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
#   back-propagating errors. *Nature* 323, 533–536.
# - Werbos, P. J. (1990). Backpropagation through time: what it does and how to do it.
#   *Proceedings of the IEEE* 78(10), 1550–1560.
# - Williams, R. J. & Peng, J. (1990). An efficient gradient-based algorithm for on-line
#   training of recurrent network trajectories. *Neural Computation* 2(4), 490–501.
# - Chen, T., Xu, B., Zhang, C. & Guestrin, C. (2016). Training deep nets with sublinear
#   memory cost. arXiv:1604.06174 (checkpointing every $\sqrt n$ layers, "Going further").
# - Gruslys, A., Munos, R., Danihelka, I., Lanctot, M. & Graves, A. (2016).
#   Memory-efficient backpropagation through time. *Advances in Neural Information
#   Processing Systems* 29 (checkpointing for BPTT, "Going further").
# - Tallec, C. & Ollivier, Y. (2017). Unbiasing truncated backpropagation through time.
#   arXiv:1705.08209 (randomized truncation with compensation factors, "Going further").
# - Zhang, A., Lipton, Z. C., Li, M. & Smola, A. J. (2023). *Dive into Deep Learning*.
#   Cambridge University Press (d2l.ai), §9.7 "Backpropagation through time" (randomized
#   truncation, in the form used here).
# - Sutskever, I. (2013). *Training recurrent neural networks*. PhD thesis, University of
#   Toronto (section 2.8.6 on truncated BPTT).
# - Krähenbühl, P. & Wu, C.-Y. (2019). *Training recurrent networks* (lecture slides):
#   unrolling, "cut the RNN after n steps, set h = 0".
# - Leibe, B. (2016). *Advanced Machine Learning, Lecture 18: Recurrent Neural Networks*,
#   RWTH Aachen: backpropagation with weight constraints, BPTT.
# - Hinton, G. (2012). *Neural Networks for Machine Learning*, Coursera, lecture 7
#   (backpropagation with weight constraints).
# - Lee, H.-y. (n.d.). *Training Recurrent Neural Network* (lecture slides; no date):
#   error signals,
#   "a very deep neural network", shared weights updated with the summed gradient.
# - Suh, C. (2021). *Lecture 11: basic RNNs* (lecture slides): why share parameters,
#   $J(y_2, y_3)$ (here $J(\hat y_2, \hat y_3)$), truncated BPTT and its problem.
