# %% [markdown]
# # 03 · Jacobians and eigenvalues: what decides between vanishing and exploding
#
# Notebook 02 had one number of state, and the gradient $\alpha^t$. A real RNN has a state
# *vector* $h_t$, a recurrent *matrix* $W_h$ and a nonlinearity $\varphi$. The gradient that
# travels back from step $t$ to step $k$ is then multiplied by a *matrix* at every step — a
# Jacobian — and the question "vanish or explode?" becomes a question about matrices: their
# eigenvalues, their singular values, and how much the nonlinearity shrinks them. This is the
# analysis of Hochreiter (1991), Bengio, Simard & Frasconi (1994) and Pascanu, Mikolov &
# Bengio (2013). We derive it, check every formula with finite differences, and end with the
# sentence that motivates it all: "Jane walked into the room. John walked in too. It was late
# in the day. Jane said hi to \_\_".
#
# **You will learn**
# - that $\partial h_t/\partial h_k$ is a product of per-step Jacobians
#   $\operatorname{diag}(\varphi'(a_i))\,W_h$, and why lecture slides often write the
#   transposed form $W_h^\top \operatorname{diag}(\varphi')$;
# - that for a linear RNN each eigen-direction of $W_h$ behaves like the scalar $\alpha^t$ of
#   notebook 02, so the spectral radius $\rho(W_h)$ decides: $\rho < 1$ vanishes, and
#   exploding needs $\rho > 1$;
# - Pascanu's bound for nonlinear RNNs: if the largest singular value $\lambda_1 < 1/\gamma$
#   ($\gamma = 1$ for tanh, $1/4$ for sigmoid), gradients must vanish;
# - how saturated units make gradients vanish even when $\rho > 1$;
# - how little gradient reaches the early words of a sentence in a vanilla RNN.

# %%
import inspect
import textwrap

import matplotlib.pyplot as plt
import numpy as np

from helpers import jacobians as jac
from helpers import rnn, style
from helpers.exercises import nb03 as ex03
from helpers.explorers import ALL
from helpers.explorers.nb03 import network
from helpers.gradcheck import numerical_gradient, rel_error

style.use()
np.set_printoptions(precision=4, suppress=True)


def check(label: str, err: float, tol: float) -> None:
    """Print and assert that a relative error is below ``tol``."""
    assert err < tol, f"{label}: relative error {err:.2e} is not below {tol:.0e}"
    print(f"{label}: relative error < {tol:.0e}  ✓")


# %% [markdown]
# ## 1 · The gradient is a product of Jacobians
#
# With the course's notation (column vectors),
# $$a_i = W_x x_i + W_h h_{i-1} + b, \qquad h_i = \varphi(a_i).$$
# Unit $m$ of $h_i$ depends on unit $n$ of $h_{i-1}$ through $a_{i,m} = \dots + (W_h)_{mn} h_{i-1,n}$, so
# $$\frac{\partial h_{i,m}}{\partial h_{i-1,n}} = \varphi'(a_{i,m})\,(W_h)_{mn},
# \qquad\text{i.e.}\qquad
# \frac{\partial h_i}{\partial h_{i-1}} = \operatorname{diag}\big(\varphi'(a_i)\big)\, W_h
# \quad (H \times H).$$
# The chain rule multiplies these, the newest step on the left:
# $$\frac{\partial h_t}{\partial h_k} = \frac{\partial h_t}{\partial h_{t-1}} \cdots
#   \frac{\partial h_{k+1}}{\partial h_k}
#   = \prod_{i=t}^{k+1} \operatorname{diag}\big(\varphi'(a_i)\big)\, W_h .$$
# This is the form in Long Liangqu's lecture ($\operatorname{diag}(f'(\cdot))\,W_R$).
#
# **Two conventions, one matrix.** Written as a *row* vector, the gradient
# $\partial L/\partial h_k$ (shape $1 \times H$) is simply
# $\frac{\partial L}{\partial h_t}\frac{\partial h_t}{\partial h_k}$: the Jacobians above multiply
# it from the right. Backpropagation code keeps the gradient as a *column* vector
# $\delta_k = \nabla_{h_k} L = (\partial L/\partial h_k)^\top$ instead, and transposing reverses
# the order of the product and transposes each factor:
# $$\nabla_{h_k} L = \Big(\frac{\partial h_t}{\partial h_k}\Big)^{\!\top} \nabla_{h_t} L
#   = \prod_{i=k+1}^{t} W_h^\top \operatorname{diag}\big(\varphi'(a_i)\big)\; \nabla_{h_t} L .$$
# That is the form of Hung-yi Lee's error signal $\delta^{l} = \sigma'(z^{l}) \bullet
# (W^{l+1})^\top \delta^{l+1}$, and of Leibe's slide, which writes
# $\partial h_t/\partial h_k = \prod W_{hh}^\top \operatorname{diag}(\sigma'(\cdot))$ — there
# $\partial h_i/\partial h_{i-1}$ denotes the transposed Jacobian (the "denominator layout",
# whose entry $(n, m)$ is $\partial h_{i,m}/\partial h_{i-1,n}$), the layout that makes gradients
# columns. (Leibe writes the argument of $\sigma'$ as $h_{i-1}$; it is the derivative at the
# pre-activation $a_i$.) A matrix and its transpose have the same eigenvalues and singular
# values, so everything below about norms holds in both conventions.
#
# **Check it.** A small tanh RNN; the product written as a loop, compared with central
# differences of the forward pass with respect to $h_k$ (`helpers.gradcheck`):

# %%
rng = np.random.default_rng(0)
H, D, T = 4, 3, 8
params = rnn.init(D, H, rng=rng, scale=1.5)
params["b"] = rng.normal(0, 0.3, size=H)
xs = rng.normal(size=(T, 1, D))  # one sequence; xs[i - 1] is x_i
h0 = rng.normal(0, 0.5, size=(1, H))
hs, cache = rnn.forward(params, xs, h0)
dphi = 1.0 - hs[:, 0] ** 2  # tanh'(a_i) = 1 − h_i², row i − 1 for step i
Wh = params["Wh"]


def dh_dh(t: int, k: int) -> np.ndarray:
    """∂h_t/∂h_k = diag(φ'(a_t)) W_h ⋯ diag(φ'(a_{k+1})) W_h, newest factor on the left."""
    P = np.eye(H)
    for i in range(k + 1, t + 1):
        P = (dphi[i - 1][:, None] * Wh) @ P
    return P


def numeric_dh_dh(t: int, k: int) -> np.ndarray:
    """The same Jacobian by central differences: rerun the RNN from a nudged h_k."""
    h_k = h0 if k == 0 else hs[k - 1]
    rows = []
    for m in range(H):
        def unit_m(p, m=m):
            return rnn.forward(params, xs[k:], p["h"])[0][t - k - 1, 0, m]

        rows.append(numerical_gradient(unit_m, {"h": h_k})["h"][0])
    return np.array(rows)


for t, k in [(1, 0), (5, 2), (8, 0)]:
    check(f"∂h_{t}/∂h_{k} vs finite differences", rel_error(dh_dh(t, k), numeric_dh_dh(t, k)), 1e-7)

# %% [markdown]
# And the transposed form is what backpropagation computes: inject a gradient $g$ at step
# $t = 8$ only, run `helpers.rnn.backward` (notebook 01's BPTT), and compare its
# $\nabla_{h_0} L$ with $(\partial h_8/\partial h_0)^\top g$. Swapping the two conventions —
# multiplying by $W_h^\top$ where $W_h$ belongs — gives a visibly wrong answer:

# %%
g = rng.normal(size=H)
dhs = np.zeros((T, 1, H))
dhs[-1, 0] = g
_, dh0 = rnn.backward(dhs, cache)
check("BPTT's ∇h0 vs (∂h_8/∂h_0)ᵀ g", rel_error(dh0[0], dh_dh(8, 0).T @ g), 1e-12)
print(f"without the transpose, (∂h_8/∂h_0) g: relative error "
      f"{rel_error(dh0[0], dh_dh(8, 0) @ g):.2f}  ✗")

# %% [markdown]
# `helpers.jacobians` does the same for a whole batch at once: `step_jacobians` returns every
# factor $\operatorname{diag}(\varphi'(a_i))W_h$, `products` their running products, and
# `log10_norms` the size of each product — renormalised at every step, so it stays right far
# beyond float64's range ($10^{\pm 308}$). Its core:

# %%
print(textwrap.dedent(inspect.getsource(jac.step_jacobians).split('"""')[-1]).strip())
_, J = jac.step_jacobians(params, xs, h0, activation="tanh")
P = jac.products(J)
check("helpers.jacobians.products vs the loop", rel_error(P[-1, 0], dh_dh(8, 0)), 1e-12)

# %% [markdown]
# ## 2 · The linear case: powers of $W_h$ and its eigen-directions
#
# With $\varphi$ the identity, every factor is $W_h$ itself and
# $$\frac{\partial h_t}{\partial h_k} = W_h^{\,l}, \qquad l = t - k .$$
# Diagonalise $W_h = V \Lambda V^{-1}$ (eigenvalues $\lambda_i$ on the diagonal of $\Lambda$,
# eigenvectors $v_i$ the columns of $V$). Then $W_h^{\,l} = V \Lambda^l V^{-1}$: write a
# gradient in the eigenvector basis, and its component along $v_i$ is multiplied by
# $\lambda_i^l$ — **each eigen-direction is the scalar linear RNN of notebook 02 with
# $\alpha = \lambda_i$** (complex eigenvalues come in pairs, and rotate as they shrink or grow
# by $|\lambda_i|^l$). The largest $|\lambda_i|$, the **spectral radius** $\rho(W_h)$, wins:
# $\|W_h^{\,l}\|^{1/l} \to \rho(W_h)$ (Gelfand's formula). Hence Pascanu et al. (2013):
# $\rho < 1$ is *sufficient* for vanishing, and $\rho > 1$ is *necessary* for exploding.
# (Leibe: "largest eigenvalue > 1 ⇒ gradients may explode; < 1 ⇒ gradients will vanish".)

# %%
rng = np.random.default_rng(1)
W = jac.random_recurrent(6, 1.05, rng=rng)  # spectral radius exactly 1.05
lam, V = np.linalg.eig(W)
order = np.argsort(-np.abs(lam))
lam, V = lam[order], V[:, order]
print("|eigenvalues|:", np.round(np.abs(lam), 4))

l = 40
W_l = np.linalg.matrix_power(W, l)
check("W^40 vs V Λ^40 V⁻¹", rel_error(W_l, ((V * lam**l) @ np.linalg.inv(V)).real), 1e-10)
v = V[:, 0]
err_v = np.linalg.norm(W_l @ v - lam[0] ** l * v) / np.linalg.norm(lam[0] ** l * v)  # complex
check("W^40 v_1 vs λ_1^40 v_1 (an eigen-direction is a scalar RNN)", err_v, 1e-10)

# %% [markdown]
# Follow each eigen-direction, and the norm of the whole product, over 300 steps:

# %%
steps = np.arange(301)
Js = np.broadcast_to(W, (300, 1, 6, 6))
norm_log = np.concatenate([[0.0], jac.log10_norms(Js)[:, 0]])
fig, ax = plt.subplots(figsize=(9, 4.6))
moduli = sorted({round(float(abs(x)), 6) for x in lam}, reverse=True)  # a complex pair: once
looks = [(style.EXPLODE, "--"), (style.VANISH, "-."), (style.COLORS["sky"], ":")]
for modulus, (colour, ls) in zip(moduli, looks, strict=True):
    ax.semilogy(steps, modulus**steps, color=colour, lw=2, ls=ls,
                label=f"eigen-direction |λ|$^l$, |λ| = {modulus:.3f}")
ax.semilogy(steps, 10**norm_log, color=style.NEUTRAL, lw=2.5, label=r"$\|W_h^{\,l}\|_2$")
ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
ax.set_ylim(1e-12, 1e9)
ax.set_xlabel("number of steps l = t − k")
ax.set_ylabel(r"$|\lambda|^l$ and $\|W_h^{\,l}\|_2$ (log scale)")
ax.set_title(r"Linear RNN with $\rho(W_h) = 1.05$: each eigen-direction is an $\alpha^t$")
ax.legend(loc="center right", fontsize=10.5)
plt.show()

# %% [markdown]
# The norm of the product follows the top eigenvalue: after a few steps only the direction
# with $|\lambda| = \rho$ is left. (All eigenvalues of this $W_h$ come in complex pairs; the
# wiggle of the black curve is their rotation.) Gelfand's formula, checked:

# %%
for l_ in (10, 100, 300):
    print(f"l = {l_:3d}: ||W^l||^(1/l) = {10 ** (norm_log[l_] / l_):.4f}   (ρ = 1.05)")
assert abs(10 ** (norm_log[300] / 300) - 1.05) < 0.01

# %% [markdown]
# One caution: $\rho < 1$ guarantees vanishing *in the end*, not at every step. A
# non-normal matrix can amplify for a while before it decays — here
# $\begin{pmatrix} 0.9 & 5 \\ 0 & 0.9 \end{pmatrix}$, whose eigenvalues are both 0.9:

# %%
N = np.array([[0.9, 5.0], [0.0, 0.9]])
sizes = [np.linalg.norm(np.linalg.matrix_power(N, l_), 2) for l_ in (1, 10, 50, 200)]
print("||N^l|| for l = 1, 10, 50, 200:", ", ".join(f"{x:.4g}" for x in sizes))
assert sizes[1] > 10 and sizes[3] < 1e-5

# %% [markdown]
# ## 3 · The nonlinear case: Pascanu's bound
#
# With a nonlinearity, the factors differ from step to step, but each is bounded. Let
# $\lambda_1 = \|W_h\|_2$ be the **largest singular value** of $W_h$ and
# $\gamma = \max_a |\varphi'(a)|$. Since the norm of a product is at most the product of the
# norms, and $\|\operatorname{diag}(\varphi'(a))\|_2 = \max_m |\varphi'(a_m)| \le \gamma$,
# $$\Big\| \frac{\partial h_t}{\partial h_k} \Big\|_2 \le \prod_{i=k+1}^{t}
#   \big\|\operatorname{diag}(\varphi'(a_i))\big\|_2 \, \|W_h\|_2 \le (\gamma\lambda_1)^{t-k}.$$
# So **$\lambda_1 < 1/\gamma$ is sufficient for vanishing** (Pascanu, Mikolov & Bengio 2013),
# whatever the inputs. $\gamma = 1$ for tanh ($1 - \tanh^2$ peaks at 1), $1/4$ for the
# logistic sigmoid ($\sigma(1-\sigma)$ peaks at $1/4$), 1 for ReLU. Note $\lambda_1 \ge \rho$:
# a singular value is at least as large as any $|\text{eigenvalue}|$, so this condition is
# stricter than $\rho < 1/\gamma$ — and a sigmoid RNN vanishes for sure even with
# $\rho(W_h)$ well above 1.

# %%
a = np.linspace(-10, 10, 200001)
gamma_tanh = np.max(1 - np.tanh(a) ** 2)
sig = 1 / (1 + np.exp(-a))
gamma_sigmoid = np.max(sig * (1 - sig))
print(f"max tanh' = {gamma_tanh:.6f}, max sigmoid' = {gamma_sigmoid:.6f}")
assert abs(gamma_tanh - jac.GAMMA["tanh"]) < 1e-9 and abs(gamma_sigmoid - jac.GAMMA["sigmoid"]) < 1e-9

# %% [markdown]
# Now check the bound on two networks of 32 units over 200 steps: a tanh RNN with
# $\lambda_1 = 0.95$ (bound $0.95^t$) and a sigmoid RNN with $\lambda_1 = 3.6$ (bound
# $0.9^t$) — whose spectral radius is about 1.9, far above 1:

# %%
rng = np.random.default_rng(2)
Hn, Tn = 32, 200
base = rng.normal(0, 1 / np.sqrt(Hn), size=(Hn, Hn))
Wx_n = rng.normal(0, 1, size=(Hn, 4))
xs_n = rng.normal(size=(Tn, 1, 4))
t_axis = np.arange(1, Tn + 1)
cases = {}
for act, lam1 in (("tanh", 0.95), ("sigmoid", 3.6)):
    Wh_n = base * (lam1 / jac.largest_singular_value(base))
    p = {"Wx": Wx_n, "Wh": Wh_n, "b": np.zeros(Hn)}
    _, Jn = jac.step_jacobians(p, xs_n, activation=act)
    logs = jac.log10_norms(Jn)[:, 0]
    bound = t_axis * np.log10(jac.GAMMA[act] * lam1)
    cases[act] = (logs, bound)
    assert np.all(logs <= bound + 1e-9)
    print(f"{act:8s}: λ1 = {lam1}, ρ = {jac.spectral_radius(Wh_n):.3f}, γλ1 = "
          f"{jac.GAMMA[act] * lam1:.3f}; ||∂h_200/∂h_0|| = 10^{logs[-1]:.1f} "
          f"<= bound 10^{bound[-1]:.1f}  ✓")

# %%
fig, ax = plt.subplots(figsize=(9, 4.4))
for (act, (logs, bound)), colour in zip(cases.items(), (style.VANISH, style.COLORS["orange"]),
                                       strict=True):
    ax.semilogy(t_axis, 10**logs, color=colour, lw=2.2, label=rf"{act}: $\|\partial h_t/\partial h_0\|_2$")
    ax.semilogy(t_axis, 10**bound, color=colour, lw=1.5, ls="--",
                label=rf"{act}: bound $(\gamma\lambda_1)^t$")
ax.set_xlabel("time steps t")
ax.set_ylabel(r"$\|\partial h_t/\partial h_0\|_2$ (log scale)")
ax.set_yticks(10.0 ** np.arange(-120, 1, 20))
ax.set_title("Pascanu's bound holds, and both gradients vanish")
ax.legend(loc="lower left", fontsize=10.5)
plt.show()

# %% [markdown]
# The bound is an upper limit, often far from tight: the tanh network's units do not all sit
# at $\varphi' = 1$, and its gradient shrinks much faster than $0.95^t$. When
# $\gamma\lambda_1 \ge 1$ the bound says nothing; then the gradient *may* explode, depending
# on $\rho$ and on the states the network visits.

# %% [markdown]
# ## 4 · Saturation: vanishing even when $\rho > 1$
#
# $\varphi'$ depends on where the units sit. A tanh unit with a large pre-activation is
# *saturated*: $\tanh(a) \approx \pm 1$ and $\tanh'(a) = 1 - \tanh^2(a) \approx 0$. Feed a tanh
# RNN with $\rho(W_h) = 1.5$ — in the linear regime it would explode like $1.5^t$ — with
# inputs of growing scale:

# %%
rng = np.random.default_rng(3)
Hs, Ts = 16, 200
p_sat = {"Wx": rng.normal(0, 0.5, size=(Hs, 4)), "Wh": jac.random_recurrent(Hs, 1.5, rng=rng),
         "b": np.zeros(Hs)}
noise = rng.normal(size=(Ts, 1, 4))
t_sat = np.arange(1, Ts + 1)
saturation = {}
for scale in (0.0, 0.5, 2.0, 5.0):
    _, dphi_s = jac.forward(p_sat, scale * noise, activation="tanh")
    _, J_s = jac.step_jacobians(p_sat, scale * noise, activation="tanh")
    saturation[scale] = (jac.log10_norms(J_s)[:, 0], float(dphi_s.mean()))
    print(f"input scale {scale:3.1f}: mean tanh'(a) = {saturation[scale][1]:.3f}, "
          f"||∂h_200/∂h_0|| = 10^{saturation[scale][0][-1]:.1f}")

_, J_lin = jac.step_jacobians(p_sat, 0.0 * noise, activation="linear")
check("no input: tanh stays at h = 0, where it is exactly linear",
      rel_error(saturation[0.0][0], jac.log10_norms(J_lin)[:, 0]), 1e-12)
assert saturation[0.0][0][-1] > 30 and saturation[5.0][0][-1] < -10

# %%
fig, ax = plt.subplots(figsize=(9, 4.4))
palette = [style.EXPLODE, style.COLORS["orange"], style.COLORS["sky"], style.VANISH]
for (scale, (logs, mean_dphi)), colour, ls in zip(saturation.items(), palette,
                                                  ["-", "--", "-.", ":"], strict=True):
    ax.semilogy(t_sat, 10**logs, color=colour, ls=ls, lw=2.2,
                label=f"input scale {scale:.1f} (mean tanh' = {mean_dphi:.2f})")
ax.axhline(1.0, color=style.NEUTRAL, lw=1, ls=":")
ax.set_xlabel("time steps t")
ax.set_ylabel(r"$\|\partial h_t/\partial h_0\|_2$ (log scale)")
ax.set_yticks(10.0 ** np.arange(-90, 41, 15))
ax.set_title(r"tanh RNN with $\rho(W_h) = 1.5$: saturation turns exploding into vanishing")
ax.legend(loc="lower left", fontsize=10.5)
plt.show()

# %% [markdown]
# With no input the state stays at 0, tanh is linear there, and the gradient explodes like
# $1.5^t$. With inputs the units leave 0: the state cannot grow past $\pm 1$, the derivatives
# $\tanh'(a)$ drop, and the gradient vanishes — even though $\rho(W_h) = 1.5$. Bounded,
# saturating activations convert exploding into vanishing; with ReLU or a linear cell nothing
# stops the growth.

# %% [markdown]
# ## 5 · Explorer: spectral radius, horizon, activation, input scale
#
# Left: $\|\partial h_t/\partial h_0\|_2$ of a 16-unit RNN against $t$ (log scale, computed as
# $\log_{10}$ so it stays honest beyond $10^{\pm 308}$; the float64 limits are marked when
# the curve crosses them), with $\rho^t$ and Pascanu's bound $(\gamma\lambda_1)^t$ for
# comparison. Right: the eigenvalues of $W_h = \rho\, W_0$ in the complex plane, the unit
# circle dashed and the circle of radius $\rho$ solid.
#
# **Predict, then slide:**
# 1. Linear activation, $\rho$ from 0.9 to 1.1: how does the slope of the curve change? What is
#    the gradient after 1000 steps at $\rho = 1.1$?
# 2. Sigmoid: how large must $\rho$ be before the gradient stops vanishing?
# 3. tanh with $\rho = 1.5$: move the input scale from 0 to 5. What happens, and why?
# 4. ReLU with input scale 0: what does the curve do? (Look at the message.)

# %%
spectral_explorer = ALL["nb03.spectral"]()
spectral_explorer

# %% [markdown]
# **Check your predictions.** In the linear case the curve's slope is $\log_{10}\rho$ per
# step after a short transient, so $\rho = 1.1$ gives about $10^{41}$ after 1000 steps. A
# sigmoid's $\varphi' \le 1/4$ means the bound allows growth only once $\lambda_1 \ge 4$
# ($\rho \approx 2.4$ for this $W_h$), and in this network the gradient still vanishes at the
# slider's end, $\rho = 4.5$: the sigmoid units saturate. tanh at $\rho = 1.5$ explodes
# without input and vanishes with large inputs (section 4). ReLU with no input: every
# pre-activation is exactly 0, no unit is active, $\varphi' = 0$ and the gradient is exactly 0.

# %%
W0, Wx0, noise0 = network()  # the explorer's network, W_h = ρ W0
lin = {"Wx": Wx0, "Wh": 1.1 * W0, "b": np.zeros(16)}
_, J_e = jac.step_jacobians(lin, 0.5 * noise0, activation="linear")
logs_e = jac.log10_norms(J_e)[:, 0]
slope = (logs_e[999] - logs_e[499]) / 500
print(f"1. linear, ρ = 1.1: slope {slope:.4f} per step (log10 1.1 = {np.log10(1.1):.4f}); "
      f"||∂h_1000/∂h_0|| = 10^{logs_e[-1]:.1f}")
assert abs(slope - np.log10(1.1)) < 1e-3
lam_ratio = jac.largest_singular_value(W0)  # λ1 of W0; λ1 of ρ·W0 is ρ times this
print(f"2. sigmoid: λ1 = 4 at ρ = {4 / lam_ratio:.2f}")
for rho_s in (2.0, 4.0, 4.5):
    sig_p = {"Wx": Wx0, "Wh": rho_s * W0, "b": np.zeros(16)}
    _, J_sig = jac.step_jacobians(sig_p, 0.5 * noise0[:200], activation="sigmoid")
    print(f"2. sigmoid, ρ = {rho_s}: ||∂h_200/∂h_0|| = 10^{jac.log10_norms(J_sig)[-1, 0]:.1f}")
relu_p = {"Wx": Wx0, "Wh": 1.0 * W0, "b": np.zeros(16)}
_, J_relu = jac.step_jacobians(relu_p, 0.0 * noise0[:10], activation="relu")
assert np.all(J_relu == 0.0)
print("4. relu, no input: every factor diag(φ'(a)) W_h is exactly 0")
spectral_explorer.update(radius=1.5, activation="tanh", scale=5.0, horizon=200)

# %% [markdown]
# ## 6 · "Jane said hi to \_\_": how much gradient reaches each word?
#
# Leibe's example of a long-range dependency in language modelling:
#
# > Jane walked into the room. John walked in too. It was late in the day. Jane said hi to \_\_
#
# The answer, *John*, appeared 15 tokens (words and full stops) before the blank. To learn this, the loss at the last
# step must send gradient back to the input "John": the signal that reaches word $s$ is
# $$\frac{\partial h_T}{\partial x_s} = \frac{\partial h_T}{\partial h_s}\,
#   \operatorname{diag}\big(\varphi'(a_s)\big)\, W_x ,$$
# one Jacobian product per word in between. Give each word a random embedding (8 numbers),
# run a vanilla tanh RNN of 32 units with the usual Xavier initialisation, and measure
# $\|\partial h_T/\partial x_s\|_2$ for every word (`jac.input_gradient_norms`, one backward
# sweep). First a finite-difference check for the word "John":

# %%
sentence = ("Jane walked into the room . John walked in too . It was late in the day . "
            "Jane said hi to").split()
vocab = sorted(set(sentence))
rng = np.random.default_rng(4)
embedding = {word: rng.normal(size=8) for word in vocab}
xs_jane = np.array([embedding[w] for w in sentence])[:, None, :]  # (T, 1, 8)
T_jane = len(sentence)
jane_rnn = rnn.init(8, 32, rng=rng)
norms = jac.input_gradient_norms(jane_rnn, xs_jane, activation="tanh")[:, 0]

s_john = sentence.index("John")
full = np.zeros((32, 8))  # ∂h_T/∂x_John, one row per unit of h_T, by central differences
for m in range(32):
    def unit_m(p, m=m):
        xs_p = xs_jane.copy()
        xs_p[s_john, 0] = p["x"]
        return rnn.forward(jane_rnn, xs_p)[0][-1, 0, m]

    full[m] = numerical_gradient(unit_m, {"x": xs_jane[s_john, 0]})["x"]
check("‖∂h_T/∂x_John‖ vs finite differences", rel_error(norms[s_john], np.linalg.norm(full, 2)), 1e-7)
print(f"T = {T_jane} words; 'John' is word {s_john + 1}, {T_jane - 1 - s_john} steps before the last")

# %% [markdown]
# How strongly the signal fades depends on the recurrent weights. Compare the Xavier
# network above with the same $W_h$ rescaled to spectral radius 1.0 and 0.8:

# %%
rho_xavier = jac.spectral_radius(jane_rnn["Wh"])
networks = {f"Xavier init, ρ = {rho_xavier:.2f}": jane_rnn}
for rho_j in (1.0, 0.8):
    networks[f"rescaled, ρ = {rho_j:.1f}"] = {**jane_rnn, "Wh": jac.with_spectral_radius(jane_rnn["Wh"], rho_j)}
per_word = {name: jac.input_gradient_norms(p_j, xs_jane, activation="tanh")[:, 0]
            for name, p_j in networks.items()}
assert np.allclose(per_word[next(iter(networks))], norms)

fig, ax = plt.subplots(figsize=(12, 4.8))
positions = np.arange(T_jane)
width = 0.27
for i, ((name, n_j), colour) in enumerate(zip(per_word.items(),
                                               (style.COLORS["orange"], style.COLORS["sky"], style.VANISH),
                                               strict=True)):
    ax.bar(positions + (i - 1) * width, n_j, width, color=colour, edgecolor="black", lw=0.4,
           label=name)
ax.axvspan(s_john - 0.5, s_john + 0.5, color=style.EXPLODE, alpha=0.12, lw=0, zorder=0)
ax.set_yscale("log")
ax.set_xticks(positions, sentence, rotation=55, ha="right", fontsize=12)
for tick in ax.get_xticklabels():
    if tick.get_text() == "John":
        tick.set_color(style.EXPLODE)
        tick.set_fontweight("bold")
ax.set_xlim(-0.6, T_jane - 0.4)
ax.set_ylabel(r"$\|\partial h_T/\partial x_s\|_2$ (log scale)")
ax.set_xlabel("input word s (the loss sits after the last word, predicting the blank)")
ax.set_title("Gradient reaching each word of the sentence: vanilla tanh RNN, 32 units")
ax.legend(loc="upper left", fontsize=10.5)
plt.show()

# %%
gap = T_jane - 1 - s_john
print(f"gradient at 'to' / gradient at 'John' ({gap} steps apart):")
ratios = []
for name, n_j in per_word.items():
    ratios.append(n_j[-1] / n_j[s_john])
    print(f"  {name:24s}: {ratios[-1]:8.3g}   (about {ratios[-1] ** (1 / gap):.3g}x per word)")
assert all(r > 10 for r in ratios) and ratios[0] < ratios[1] < ratios[2]

# %% [markdown]
# Every network sends the last words far more gradient than "John": about 20 times more with
# the Xavier initialisation, thousands of times more at $\rho = 0.8$. Training follows the
# gradient, so the network adjusts how it reads "to", "hi" and "said" long before the faint
# signal from "John" can shape anything — and the fading is geometric, a fixed factor per
# word, so a story twice as long squares the ratio. "The RNN will have a hard time learning
# such long-range dependencies" (Leibe). A larger $\rho$ fades less here, but (section 4 and
# the explorer) it risks exploding gradients instead. The remedies: clipping for the exploding
# side (notebook 04); gated cells with an additive memory path (notebook 05) and better
# initialisations (notebook 06) for the vanishing side; notebook 07 trains them all on this
# very task.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1: the Jacobian product
#
# Write `jacobian_product(Wh, hs, k, t)` returning
# $\partial h_t/\partial h_k$ (shape $(H, H)$) for a tanh RNN, given `Wh` $(H, H)$ and the
# states `hs` of shape $(T+1, H)$ with `hs[i]` $= h_i$ (so `hs[0]` is $h_0$). Use
# $\tanh'(a_i) = 1 - h_i^2$. Mind the order of the factors and which convention you use.

# %%
def jacobian_product(Wh: np.ndarray, hs: np.ndarray, k: int, t: int) -> np.ndarray:
    ### BEGIN SOLUTION
    P = np.eye(Wh.shape[0])
    for i in range(k + 1, t + 1):
        P = ((1 - hs[i] ** 2)[:, None] * Wh) @ P
    return P
    ### END SOLUTION


jacobian_product = ex03.check_jacobian_product(jacobian_product)

# %% [markdown]
# ### Exercise 2: the spectral radius
#
# Write `spectral_radius(W)`, the largest absolute
# value of the eigenvalues of a square matrix (`np.linalg.eigvals`). The checker includes a
# rotation (complex eigenvalues), a negative eigenvalue and a non-normal matrix.

# %%
def spectral_radius(W: np.ndarray) -> float:
    ### BEGIN SOLUTION
    return float(np.max(np.abs(np.linalg.eigvals(W))))
    ### END SOLUTION


spectral_radius = ex03.check_spectral_radius(spectral_radius)

# %% [markdown]
# ## Summary
#
# - $\partial h_t/\partial h_k = \prod_{i=t}^{k+1} \operatorname{diag}(\varphi'(a_i))\,W_h$
#   (column-vector Jacobians, newest on the left); backpropagation applies its transpose,
#   $\prod W_h^\top \operatorname{diag}(\varphi')$, to the gradient. Same norms, same story.
# - Linear RNN: $\partial h_t/\partial h_k = W_h^{\,t-k}$; each eigen-direction behaves like
#   $\lambda_i^{t-k}$, the $\alpha^t$ of notebook 02. $\rho(W_h) < 1$ is sufficient for
#   vanishing, $\rho(W_h) > 1$ necessary for exploding (Pascanu et al. 2013).
# - Nonlinear RNN: $\|\partial h_t/\partial h_k\|_2 \le (\gamma\lambda_1)^{t-k}$, so
#   $\lambda_1 < 1/\gamma$ (1 for tanh, 4 for sigmoid) is sufficient for vanishing.
# - Saturation ($\varphi' \approx 0$) makes gradients vanish even when $\rho > 1$.
# - In a vanilla RNN, an early word such as "John" receives orders of magnitude less gradient
#   than the last words: long-range dependencies are hard to learn.
#
# Next: **[04 · Gradient clipping](04_gradient_clipping.ipynb)** — what to do when the
# gradient explodes.
#
# ## References
#
# - Hochreiter, S. (1991). *Untersuchungen zu dynamischen neuronalen Netzen* (diploma thesis,
#   TU München).
# - Bengio, Y., Simard, P. & Frasconi, P. (1994). Learning long-term dependencies with
#   gradient descent is difficult. *IEEE Transactions on Neural Networks* 5(2), 157–166.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent
#   neural networks. *ICML 2013* (the linear-case conditions on $\rho$ and the bound
#   $\lambda_1 < 1/\gamma$).
# - Leibe, B. (2016). *Advanced Machine Learning, Lecture 18: Recurrent Neural Networks*, RWTH
#   Aachen (∏ $W_{hh}^\top \operatorname{diag}(\sigma')$; "Jane said hi to \_\_").
# - Long, L. *RNN 训练难题* (difficulties of training RNNs, lecture slides;
#   $\partial h_{k+1}/\partial h_k = \operatorname{diag}(f')\,W_R$).
# - Lee, H.-y. *Training Recurrent Neural Network* (lecture slides; the error signal
#   $\delta^l = \sigma'(z^l) \bullet (W^{l+1})^\top \delta^{l+1}$).
# - Trefethen, L. N. & Embree, M. (2005). *Spectra and Pseudospectra* (transient growth of
#   non-normal matrices).
