# %% [markdown]
# # 00 · Start here: how to use *Unrolled*
#
# Recurrent networks read a sequence one step at a time and carry a hidden state from
# step to step. Training them means differentiating through that chain of steps — and
# the chain is long. This course shows, formula by formula and slider by slider, how
# that works (unrolling and backpropagation through time) and why it is hard (gradients
# that vanish or explode), and what people do about it (truncation, clipping, gated cells,
# better optimizers and initialisations, teacher forcing).
#
# **You will learn** in this notebook
# - what each notebook of the course covers, and in which order to read them;
# - how the interactive *explorers* work, and how to use them in class or alone;
# - the notation used everywhere in the course;
# - whether your environment is ready (a check at the end).

# %% [markdown]
# ## The course map
#
# | # | notebook | the question it answers |
# |---|---|---|
# | 00 | start here | How is the course used? (this notebook) |
# | 01 | unrolling and BPTT | How do we differentiate through time, and what does truncation give up? |
# | 02 | vanishing and exploding: scalar toys | Why does $\alpha^t$ (or $w^{1000}$) make gradients vanish or explode? |
# | 03 | Jacobians and eigenvalues | Which property of $W_h$ decides between vanishing and exploding, and what does the nonlinearity add? |
# | 04 | gradient clipping | How do we survive the cliffs of an exploding gradient? |
# | 05 | LSTM and GRU | How does a different structure keep gradients alive over long lags? |
# | 06 | optimizers and initialisation | What do momentum, RMSProp, Adam and identity initialisation add? |
# | 07 | teacher forcing and scheduled sampling | What should the network read while it learns to generate? |
# | 08 | capstone: "Jane said hi to __" | Which models learn a dependency across a whole story? |
#
# Each notebook follows the same rhythm: **math → code → figure → explorer → check**.
# Every formula is followed by a cell that checks it numerically (an `assert` or a printed
# relative error), so you never have to take an equation on trust.
#
# Notebooks 01–08 are one 50-minute session each. The **core** — everything up to the
# `## Summary` — is the session: text and explorer, then `## Exercises` to do in pairs,
# each with a checker that names the usual mistakes. After the summary, `## Going
# further` holds derivations, ablations, timings and history for self-study.

# %% [markdown]
# ## How to use the explorers
#
# An *explorer* is a figure with sliders. Move a slider and the figure redraws at once:
# within a few milliseconds for the next steps along a slider you just moved (the kernel
# draws them ahead and sends them to the page), otherwise in a tenth to a fifth of a second
# (measured in JupyterLab: `benchmarks/RESULTS.md`, "Browser"). While the kernel is idle
# after a move, it goes on to draw every value of that slider, and so it does for the first
# slider once the explorer is on your screen: give it a few seconds to half a minute, and a
# drag along that slider shows each value's own picture. Before then, a handle dragged
# past what was drawn shows the nearest picture the explorer already has, with a caption
# that names its value and the handle's, until the handle's own picture arrives.
#
# 1. **Run the notebook first** (*Run → Run All Cells*). Before that you see a still
#    picture of each explorer; its sliders come alive once the kernel has run the cell.
# 2. **Predict, then slide.** Before each explorer the text asks a question. Say your
#    answer out loud (or write it down) *before* you move the slider; then check.
# 3. Drag with the mouse, or click the slider and use the **arrow keys** for one step at a
#    time (in JupyterLab; Jupyter Notebook 7 keeps the arrow keys for moving
#    between cells, so there click on the slider's track); you can also type a value into
#    the box to the right of the slider.
# 4. In class: the instructor projects the explorer and asks the room to predict; students
#    who run the notebook themselves try the extremes.
#
# Here is a small one; it starts at factor 1, where nothing changes. **Predict, then
# slide:** start from 1 and multiply by the same factor 60 times, so the result is
# $\text{factor}^{60}$. For which values of the factor does the result end up *far* from
# 1 — and how far, for a factor of just 0.9 or 1.1?

# %%
import helpers
from helpers import style
from helpers.explorers import ALL

style.use()
demo = ALL["nb00.repeated_multiplication"]()
demo

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# Even a factor of 0.9 shrinks the result to about $0.9^{60} \approx 0.0018$, and 1.1
# grows it to about $1.1^{60} \approx 304$. A recurrent network multiplies by (roughly)
# the same factor at every time step when gradients flow backward: that is the whole story
# of notebooks 02 and 03.
#
# </details>
#
# The cell below checks the two numbers, by doing the 60 multiplications one at a time,
# and checks that the explorer draws the same curve.

# %%
for factor, expected in ((0.9, 0.0017970), (1.1, 304.48)):
    result = 1.0
    for _ in range(60):  # start from 1, multiply by the factor 60 times
        result *= factor
    assert abs(result - factor**60) <= 1e-12 * factor**60 and abs(result / expected - 1) < 1e-4
    demo.update(factor=factor)
    assert abs(demo.figure.axes[0].lines[-1].get_ydata()[-1] - result) <= 1e-12 * result
    print(f"1 × {factor} × … × {factor} (60 times) = {factor}^60 = {result:.4g}")

# %% [markdown]
# ## Notation
#
# One table, used in every notebook. Math uses column vectors; code uses batches.
#
# | symbol | meaning | in code | shape in code |
# |---|---|---|---|
# | $x_t$ | input at step $t$ | `xs[t]` | `(B, D)` |
# | $h_t$ | hidden state after step $t$ | `hs[t]` | `(B, H)` |
# | $h_0$ | initial state (the state before the first input) | `h0` | `(B, H)` |
# | $W_x$ | input weights | `params["Wx"]` | `(H, D)` |
# | $W_h$ | recurrent weights | `params["Wh"]` | `(H, H)` |
# | $b$ | bias | `params["b"]` | `(H,)` |
# | $\varphi$ | activation: tanh, ReLU or identity | `activation=` | — |
# | $\hat y_t = W_y h_t + b_y$ | output (the prediction) at step $t$ | `params["Wy"]`, `params["by"]` | `(O, H)`, `(O,)` |
# | $y_t$ | target at step $t$ | `ys` | |
# | $L = \sum_t \ell_t$, $\ell_t = \ell(\hat y_t, y_t)$ | loss summed over steps | `loss` | scalar |
# | $\partial \ell_t/\partial h_t$ | the error the loss injects at step $t$ (its direct gradient) | `dhs[t]` | `(B, H)` |
# | $T$, $B$, $D$, $H$ | sequence length, batch size, input size, hidden size | | |
#
# The recurrence is
# $$h_t = \varphi(W_x x_t + W_h h_{t-1} + b), \qquad \hat y_t = W_y h_t + b_y .$$
# In code a batch is *time-major*: `xs` has shape `(T, B, D)`, and one step is
# `h = phi(x @ Wx.T + h @ Wh.T + b)` — the same layout as PyTorch's `torch.nn.RNN`,
# so weights can be copied between the two (with $b$ = `b_ih + b_hh`: PyTorch keeps two
# biases that always appear as a sum).

# %%
import numpy as np

from helpers import rnn

rng = np.random.default_rng(0)
params = rnn.init(input_size=3, hidden_size=4, rng=rng)
xs = rng.normal(size=(5, 2, 3))  # T=5 steps, B=2 sequences, D=3 inputs
hs, cache = rnn.forward(params, xs)
print({name: value.shape for name, value in params.items()}, "-> hs", hs.shape)

# one step by hand, in the math's column-vector form, equals the batched code
h1_math = np.tanh(params["Wx"] @ xs[0, 0] + params["Wh"] @ np.zeros(4) + params["b"])
assert np.allclose(h1_math, hs[0, 0], atol=1e-12)

# %% [markdown]
# ## Environment check
#
# The course needs only NumPy, matplotlib and ipywidgets at run time, and no network.
# The next cell prints the versions in use and checks that the explorers can render.

# %%
import ipywidgets
import matplotlib

checks = {
    "helpers": helpers.__version__,
    "numpy": np.__version__,
    "matplotlib": matplotlib.__version__,
    "ipywidgets": ipywidgets.__version__,
}
for name, version in checks.items():
    print(f"{name:>10}: {version}")
png = demo.png()
assert png[:8] == b"\x89PNG\r\n\x1a\n", "the explorer did not render a PNG"
print(
    f"{len(ALL)} explorers registered; the demo renders a {demo.figure.get_figwidth():.0f} x "
    f"{demo.figure.get_figheight():.1f} in figure: ready."
)

# %% [markdown]
# ## Summary
#
# - Read the notebooks in order; in each, the core (up to the exercises and the summary)
#   is one session, and "Going further" is for self-study.
# - Run a notebook before using its explorers; predict before you slide.
# - Every identity stated in the text is checked by the cell right after it.
# - The exercises' checkers tell you which way a wrong answer misses and, for the usual
#   slips, which slip it is, but never the answer itself. Still stuck after a real try?
#   Add `reveal=True` to the checker's call (for example `check_flip_radius(answer,
#   reveal=True)`) and it shows the answer.
#
# Next: **[01 · Unrolling and backpropagation through time](01_unrolling_and_bptt.ipynb)**.
#
# ## References
#
# - Krähenbühl, P. & Wu, C.-Y. (2019). *Training recurrent networks* (lecture slides).
# - Leibe, B. (2016). *Advanced Machine Learning, Lecture 18: Recurrent Neural Networks*, RWTH Aachen.
# - Lee, H.-y. (n.d.). *Training Recurrent Neural Network* (lecture slides; the slides carry
#   no date).
# - Long, L. (n.d.). *RNN 训练难题* (difficulties of training RNNs, lecture slides; the slides
#   carry no date).
# - Suh, C. (2021). *Lecture 11: basic RNNs* (lecture slides).
