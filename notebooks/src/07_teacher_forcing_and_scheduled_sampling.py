# %% [markdown]
# # 07 · Teacher forcing, exposure bias and scheduled sampling
#
# (Split from notebook 06; the helper writing this session rewrites this introduction.)

# %%
import os

# The matrices here are tiny: BLAS worker threads would only add overhead (and fight
# over the cores of a shared machine), so we use one thread. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import inspect

import matplotlib.pyplot as plt
import numpy as np

from helpers import generative, gradcheck, optim, rnn, schedules, stats, style, sweeps, tasks, train
from helpers.explorers import ALL
from helpers.toys import pascanu_loss

style.use()
np.set_printoptions(precision=4, suppress=True)


def show_source(*objects) -> None:
    """Print the source code of functions or methods, so the algorithm stays visible."""
    for obj in objects:
        print(inspect.getsource(obj))


# %% [markdown]
# ## 3 · Teacher forcing, exposure bias and scheduled sampling
#
# ### Two ways to feed a generative RNN
#
# A *generative* RNN predicts the next symbol of a sequence from the symbols before it,
# and its own prediction becomes its next input when it generates. During training there
# is a choice of what to feed at step $t$:
#
# - **teacher forcing** (Williams & Zipser 1989; seed 000: "generative models: use ground
#   truth inputs"): the *true* previous symbol, $x_t = y_{t-1}$;
# - **free running**: the model's *own* previous prediction (a sample from its softmax),
#   $x_t = \hat y_{t-1}$ — exactly what it will see when it generates.
#
# Our data is one sentence repeated forever, read one character at a time:

# %%
print(repr(generative.TEXT), f"— vocabulary {generative.VOCAB!r}, V = {generative.V}")
ids = generative.windows(3, 30, rng=np.random.default_rng(0))
for column in ids.T:
    print(repr(generative.decode(column)))
# round trip: the ids decode back to the text
assert generative.decode(generative.encode(generative.TEXT)) == generative.TEXT

# %% [markdown]
# The sentence is deterministic, but not trivial: after "t" comes "h" in "the" and a
# space in "cat", "sat" and "mat"; after "the " comes "c" once and "m" once. To predict,
# the model must carry several characters of context in its hidden state. The model is a
# tanh RNN with $H = 32$ units and a softmax read-out, trained with `helpers.train`'s
# cross-entropy on every step (`loss="xent_all"`). One function,
# `generative.scheduled_inputs`, builds the inputs for any mix: with probability
# $\epsilon$ the truth, otherwise the model's own sample ($\epsilon = 1$: teacher forcing;
# $\epsilon = 0$: free running). No gradient flows through the choice.

# %%
show_source(generative.scheduled_inputs, generative.fit)

# %% [markdown]
# Train the same model both ways, with the same budget (150 updates of 16 windows), **8
# seeds each**: seed $s$ initialises the model; the 8 seeds of one regime train together as
# a stack (`generative.fit_stack`: the loop above, run for every model at once, each with
# its own windows, samples, loss and clipping). A model **generates correctly** when, fed
# only a 10-character prompt, at least 99 % of the 40 characters it generates are right.

# %%
H_GEN, GEN_STEPS, GEN_BATCH = 32, 150, 16
SEEDS = list(range(8))


def new_char_model(seed=0):
    return generative.init_model(H_GEN, rng=np.random.default_rng(seed))


def run_stack(epsilon, steps=GEN_STEPS):
    """The 8 seeds trained together; ``epsilon(i)`` as in generative.fit (None: teacher
    forcing). Every regime draws the same training windows (generator 10); the coin flips
    and the model's samples come from a generator of their own (20)."""
    return generative.fit_stack(generative.init_stack(H_GEN, seeds=SEEDS), steps=steps,
                                optimizer=optim.Adam(lr=0.005), epsilon=epsilon,
                                rng=np.random.default_rng(10), batch=GEN_BATCH,
                                sample_rng=np.random.default_rng(20))


tf_params, tf_loss = run_stack(None)  # teacher forcing
fr_params, fr_loss = run_stack(lambda i: 0.0)  # free running

# test windows: a prompt of 10 true characters, then 40 characters to predict
test = generative.windows(500, 50, rng=np.random.default_rng(7))
PROMPT = 10


def accuracies(params, prompt=None):
    """Per model and position after the prompt, (M, 40) each: accuracy with the truth fed
    (teacher-forced) and when the model feeds itself (free running)."""
    forced = generative.teacher_forced_predictions(params, test)[:, PROMPT - 1:]
    free = generative.generate_stack(params, test[:PROMPT] if prompt is None else prompt,
                                     test.shape[0] - PROMPT)
    truth = test[PROMPT:]
    return (forced == truth).mean(axis=-1), (free == truth).mean(axis=-1)


def spread(values):
    med, q10, q90 = stats.median_range(values)
    return f"{med:.3f} ({q10:.3f}–{q90:.3f})"


print(f"{'8 seeds trained with':>22} | {'truth fed':^19} | {'generating':^19} | "
      "generate correctly")
for name, params in [("teacher forcing", tf_params), ("free running", fr_params)]:
    forced, free = (a.mean(axis=1) for a in accuracies(params))
    print(f"{name:>22} | {spread(forced):>19} | {spread(free):>19} | "
          f"{stats.rate_text(int((free >= 0.99).sum()), len(free))}")
print("accuracies: median over the seeds (10–90 % range); counts with a 95 % interval")
tf_free, fr_free = accuracies(tf_params)[1].mean(axis=1), accuracies(fr_params)[1].mean(axis=1)
assert np.all(tf_free >= 0.99) and np.all(fr_free < 0.99)
fr_forced = accuracies(fr_params)[0].mean(axis=1)
assert abs(np.median(fr_forced) - 0.49) < 0.01  # "about 49 % ... even when fed the truth"

# %%
fig, ax = plt.subplots(figsize=(9, 4))
for loss, label, color, ls in [(tf_loss, "teacher forcing ($\\epsilon = 1$)", "blue", "-"),
                               (fr_loss, "free running ($\\epsilon = 0$)", "vermillion", "--")]:
    med, q10, q90 = stats.median_range(loss, axis=1)
    ax.fill_between(np.arange(len(med)), q10, q90, color=style.COLORS[color], alpha=0.25, lw=0)
    ax.semilogy(med, ls, color=style.COLORS[color], label=f"{label}: median, 10–90 % band")
ax.set_xlabel("update number")
ax.set_ylabel("cross-entropy per character (log scale)")
ax.set_title("Training the character model, 8 seeds each: truth as input vs its own samples")
ax.legend()
plt.show()

# %% [markdown]
# With the truth as input, all 8 models learn the sentence within the budget: 100%
# next-character accuracy, whether fed the truth or their own predictions (8/8 generate
# correctly). Trained on their own samples, none of the 8 does (0/8): after the same 150
# updates they predict about 49 % of the characters right even when fed the truth. At
# first their samples are random characters, so they must predict the true next character
# from garbage context. (In training, free running gets only one true character per
# window, the first; at test time every model reads a 10-character true prompt.) The
# ablation is the feeding alone: same seeds, same training windows (one generator for all
# regimes; the samples and coin flips draw from a second one), same budget. Teacher
# forcing changes **what the network is fed**: every step sees a correct
# context, the state it is trained in is the one the true prefix produces, and no step is
# punished for an earlier step's sampled mistake.
#
# It does **not** change whether the gradient flows through time. Our network has
# hidden-to-hidden recurrence, so the loss at step $t$ still depends on $h_{t-1}, h_{t-2},
# \dots$ and BPTT still runs back through every $h$ — the inputs are fixed data under
# teacher forcing (and no gradient flows through a sample under free running either), so
# in both cases the path back in time is through $h$. Check it on a teacher-forced window
# of 24 characters, with the loss on the *last* prediction only: its gradient with respect
# to every earlier input (`rnn.backward(..., return_dxs=True)`), checked against finite
# differences at the first input; and the same with `truncate=0`, which is what "each
# prediction is about that prediction alone" would mean.

# %%
fresh = new_char_model(0)  # any parameters do: this is about the graph, not the training
ids_tf = generative.windows(1, 25, rng=np.random.default_rng(5))
xs_tf = generative.one_hot(ids_tf[:-1])  # teacher forcing: the true previous characters


def last_loss(params, xs):
    """Cross-entropy of the last prediction only, and ∂ℓ/∂h_t for every t: (T, 1, H)."""
    hs, cache = rnn.forward(params, xs)
    logits = hs[-1, 0] @ params["Wy"].T + params["by"]
    p = np.exp(logits - logits.max())
    p /= p.sum()
    dhs = np.zeros_like(hs)
    dhs[-1, 0] = (p - np.eye(generative.V)[ids_tf[-1, 0]]) @ params["Wy"]
    return -np.log(p[ids_tf[-1, 0]]), dhs, cache


_, dhs_tf, cache_tf = last_loss(fresh, xs_tf)
T_TF = xs_tf.shape[0]
for k in (None, 0):
    _, _, dxs = rnn.backward(dhs_tf, cache_tf, truncate=k, return_dxs=True)
    norms = np.linalg.norm(dxs[:, 0], axis=1)
    print(f"truncate={k}: ‖∂ℓ_T/∂x_s‖ for s = T, T−1, T−5, T−10, T−23 = "
          + ", ".join(f"{norms[T_TF - 1 - back]:.1e}" for back in (0, 1, 5, 10, 23)))
    if k is None:
        full = dxs
# finite differences: nudge the first input x_1 (23 steps before the loss)
num = np.empty(generative.V)
for j in range(generative.V):
    bump = np.zeros_like(xs_tf)
    bump[0, 0, j] = 1e-6
    num[j] = (last_loss(fresh, xs_tf + bump)[0] - last_loss(fresh, xs_tf - bump)[0]) / 2e-6
err = np.linalg.norm(num - full[0, 0]) / np.linalg.norm(num)
assert err < 1e-5 and np.linalg.norm(num) > 1e-8
print(f"∂ℓ_T/∂x_1 by finite differences: norm {np.linalg.norm(num):.1e}; BPTT agrees "
      "(relative error < 1e-5) ✓")
shrink = np.linalg.norm(full[-1, 0]) / np.linalg.norm(full[0, 0])
print(f"the gradient shrinks by a factor {shrink:.0f} from the last input to the first")
assert 10 < shrink < 1000

# %% [markdown]
# The last prediction's loss has a gradient with respect to the very first input, 23 steps
# earlier, and finite differences confirm it: teacher forcing or not, the gradient flows
# through the hidden state, and it can vanish or explode there exactly as in notebooks 02
# and 03 (here it shrinks by a factor of about 50 over 23 steps). Cutting it (`truncate=0`)
# is a different algorithm, not what teacher forcing does.
#
# Why, then, does seed 000 list "use ground truth inputs" among the remedies for
# vanishing and exploding gradients? Two reasons from the literature:
#
# - **It keeps the dynamics away from bifurcations.** Doya (1993) showed that training a
#   recurrent network can drive it across bifurcations of its dynamics, where the
#   gradient explodes (the cliffs of §1 and notebook 04); feeding the targets keeps the
#   state close to the target trajectory, so training does not wander across them.
#   Pascanu et al. (2013, §3.1) cite teacher forcing in this sense, as "a way of
#   initializing the model in the right regime and the right region of space".
# - **Without hidden-to-hidden recurrence, it removes BPTT altogether.** Goodfellow,
#   Bengio & Courville (2016, §10.2.1) point out that a network whose only recurrence is
#   from the *output* at $t-1$ to the hidden state at $t$ decouples in time when trained
#   with teacher forcing: the true $y_{t-1}$ replaces the model's output, so each step can
#   be trained on its own, with no gradient through time at all (and in parallel). Our
#   network, like most, has $h \to h$ connections, so this does not apply to it — as the
#   check above shows.
#
# ### Exposure bias: errors compound when the model feeds itself
#
# Teacher forcing has a catch. In training the model only ever sees true prefixes; when
# it generates, it sees *its own* prefixes, mistakes included. One wrong character puts
# it in a state it never met in training, the next prediction is more likely wrong, and
# the errors compound. Bengio, Vinyals, Jaitly & Shazeer (2015) describe this mismatch
# between training and inference; Ranzato, Chopra, Auli & Zaremba (2016) named it
# **exposure bias**. A perfect model never errs, so to see it we look at an *imperfect*
# one: the teacher-forced model after only 20 updates.

# %%
early_params, _ = run_stack(None, steps=20)
forced, free = accuracies(early_params)
print(f"after 20 updates, 8 seeds: accuracy {spread(forced.mean(axis=1))} with the truth fed, "
      f"{spread(free.mean(axis=1))} when generating")
print(f"generating, first 5 characters: {spread(free[:, :5].mean(axis=1))};  last 10: "
      f"{spread(free[:, -10:].mean(axis=1))}")
sample = generative.generate_stack(early_params, test[:PROMPT, :1], 40)[0, :, 0]
print("one run (seed 0):")
print("  prompt:   ", repr(generative.decode(test[:PROMPT, 0])))
print("  truth:    ", repr(generative.decode(test[PROMPT:, 0])))
print("  generated:", repr(generative.decode(sample)))

# %%
fig, ax = plt.subplots(figsize=(9, 4))
pos = np.arange(1, forced.shape[1] + 1)
for acc, label, color, ls in [(forced, "truth fed (teacher-forced)", "blue", "-o"),
                              (free, "own predictions fed (generating)", "vermillion", "--s")]:
    med, q10, q90 = stats.median_range(acc, axis=0)
    ax.fill_between(pos, q10, q90, color=style.COLORS[color], alpha=0.25, lw=0)
    ax.plot(pos, med, ls, ms=4, color=style.COLORS[color], label=f"{label}: median of 8 seeds")
ax.set_ylim(0, 1.03)
ax.set_xlabel("characters after the 10-character prompt")
ax.set_ylabel("accuracy (fraction of 500 windows)")
ax.set_title("After 20 teacher-forced updates, two ways of feeding the same models "
             "(band: 10–90 %)", fontsize=12)
ax.legend(loc="lower left")
plt.show()

# %% [markdown]
# After 20 updates the 8 models predict the next character correctly about 92 % of the
# time (median; 85–96 % across seeds) when fed the truth, at every position (blue). Fed
# their own predictions (vermillion), they start near that level (88 % over the first 5
# characters) but accuracy decays as generation proceeds (not at every single character:
# the median curve is not monotone), to a median of 19 % over the last 10 — with a wide
# spread across seeds (7–79 %): some find their way back, most do not.
#
# Seed 0's run above is a warning against reading one run: its first mistake ("oat" for
# "sat") is a *model* error, not exposure bias — fed the truth, the same model is wrong at
# exactly the same two positions (characters 1 and 25). Generating, it gets the 23
# characters after its first mistake right; the collapse starts only after its second
# one. The evidence for compounding is in the aggregate: over the 8 models and 500 test
# windows, how often is a generated character right just after a wrong one, and just
# after a right one?

# %%
gen_early = generative.generate_stack(early_params, test[:PROMPT], 40)  # (M, 40, B)
right_gen = gen_early == test[PROMPT:]
right_tf = generative.teacher_forced_predictions(early_params, test)[:, PROMPT - 1:] == test[PROMPT:]
print("seed 0, window 0: wrong positions generating", np.flatnonzero(~right_gen[0, :, 0])[:4],
      "…; with the truth fed", np.flatnonzero(~right_tf[0, :, 0]))
for name, right in [("generating", right_gen), ("truth fed", right_tf)]:
    now, nxt = right[:, :-1], right[:, 1:]
    print(f"{name:>10}: P(next right | this one wrong) = {nxt[~now].mean():.2f}, "
          f"P(next right | this one right) = {nxt[now].mean():.2f}")
now, nxt = right_gen[:, :-1], right_gen[:, 1:]
assert list(np.flatnonzero(~right_tf[0, :, 0])) == [0, 24]
assert right_gen[0, 1:24, 0].all() and not right_gen[0, 24, 0]
assert nxt[~now].mean() < 0.35 and nxt[now].mean() > 0.65
median_curve = np.median(right_gen.mean(axis=2), axis=0)  # generating, per position
rises = int(np.sum(np.diff(median_curve) > 0))
print(f"the median generating accuracy rises from one position to the next {rises} times "
      "out of 39: it decays as generation proceeds, not at every character")
assert rises > 0 and median_curve[:5].mean() > median_curve[-10:].mean() + 0.5

# %% [markdown]
# Generating, a character that follows a mistake is right far less often than one that
# follows a correct character; with the truth fed, a wrong prediction does not enter the
# next input, and the next character fares much better. The per-step model is the same;
# only what it is fed differs. Training longer (as above) makes this model perfect and the
# problem disappears — on real data, where a model is never perfect, it does not.
#
# ### Scheduled sampling
#
# Bengio et al. (2015) proposed a curriculum between the two regimes: at training
# iteration $i$, feed the truth with probability $\epsilon_i$ and the model's own sample
# otherwise, with $\epsilon_i$ decaying from 1 (teacher forcing, easy) towards 0 (free
# running, like generation). Their three schedules:
# $$\text{linear: } \epsilon_i = \max(\epsilon,\; k - c\, i), \qquad
#   \text{exponential: } \epsilon_i = k^i \;(k < 1), \qquad
#   \text{inverse sigmoid: } \epsilon_i = \frac{k}{k + \exp(i / k)} \;(k \ge 1).$$
# `helpers.schedules` implements them (the inverse sigmoid in an overflow-free form); we
# check each against the formula at a few points, and the iteration where each crosses
# $\epsilon_i = \tfrac12$ against its closed form.

# %%
show_source(schedules.linear, schedules.exponential, schedules.inverse_sigmoid)

# %%
i = np.array([0.0, 100.0, 1000.0, 5000.0])
lin = schedules.linear(i, c=1e-4, k=1.0, eps=0.1)
expo = schedules.exponential(i, k=0.999)
invs = schedules.inverse_sigmoid(i, k=500.0)
print("i              ", i)
print("linear         ", lin, "  formula:", np.maximum(0.1, 1.0 - 1e-4 * i))
print("exponential    ", expo, "  formula:", 0.999**i)
print("inverse sigmoid", invs, "  formula:", 500 / (500 + np.exp(i / 500)))
assert np.allclose(lin, np.maximum(0.1, 1.0 - 1e-4 * i), rtol=0, atol=1e-15)
assert np.allclose(expo, 0.999**i, rtol=1e-12, atol=0)
assert np.allclose(invs, 500 / (500 + np.exp(i / 500)), rtol=1e-12, atol=0)
# where ε_i = 1/2: linear (k − ½)/c, exponential ln ½ / ln k, inverse sigmoid k ln k
for kind, params, closed in [("linear", {"c": 1e-4}, 0.5 / 1e-4),
                             ("exponential", {"k": 0.999}, np.log(0.5) / np.log(0.999)),
                             ("inverse sigmoid", {"k": 500.0}, 500 * np.log(500))]:
    at = schedules.crossing(kind, 0.5, **params)
    print(f"{kind:>15}: ε_i = 1/2 at i = {at:.1f}; ε there = "
          f"{float(schedules.epsilon(kind, at, **params)):.6f}")
    assert abs(at - closed) < 1e-9 * closed
    assert abs(float(schedules.epsilon(kind, at, **params)) - 0.5) < 1e-12

# %% [markdown]
# **Predict, then slide:** the inverse sigmoid with $k = 500$ keeps $\epsilon_i$ near 1 for
# a while, then falls. Where does it cross $\tfrac12$ — and where for $k = 1000$? How must
# you set the exponential's $k$ to cross $\tfrac12$ at the same iteration? In the lower
# panel, each column is one training sequence; which colour dominates at the end of
# training, and what does the model see there?

# %%
ex_ss = ALL["nb07.sampling_schedule"]()
ex_ss

# %% [markdown]
# The inverse sigmoid crosses $\tfrac12$ at $i = k \ln k$ (3107 for $k = 500$, 6908 for
# $k = 1000$); the exponential at $\ln \tfrac12 / \ln k$, so $k = 0.5^{1/3107} \approx 0.999777$
# matches $k_{\text{sig}} = 500$; the slider (steps of $10^{-5}$) comes nearest at
# $k = 0.99978$, which crosses at $i \approx 3150$. In the lower panel, position 1 is
# always the truth: `scheduled_inputs` feeds the first true character at every iteration.

# %%
k_match = 0.5 ** (1 / (500 * np.log(500)))
print(f"inverse sigmoid k = 500: 1/2 at i = {500 * np.log(500):.0f}, k = 1000: "
      f"{1000 * np.log(1000):.0f};  matching exponential k = {k_match:.6f}; slider 0.99978 "
      f"crosses at {schedules.crossing('exponential', 0.5, k=0.99978):.0f}")
assert abs(500 * np.log(500) - 3107) < 1 and abs(1000 * np.log(1000) - 6908) < 1
assert abs(k_match - 0.999777) < 1e-6
assert abs(schedules.crossing("exponential", 0.5, k=0.99978) - 3150) < 1

# %% [markdown]
# The exponential falls fastest at the very start, when the model
# knows least; the inverse sigmoid keeps (almost) pure teacher forcing while the model
# learns the basics, then hands over within a few thousand iterations; the linear decay
# hands over at a constant rate and can keep a floor $\epsilon$ of truth forever.
#
# Does it help our character model? Train it with an inverse-sigmoid schedule scaled to
# our 150 updates ($k = 20$: $\epsilon_i = \tfrac12$ at $i = 20 \ln 20 \approx 60$), and
# compare with teacher forcing at the same budget — the same 8 seeds and training windows,
# only $\epsilon$ differs —
# from a correct prompt and from a prompt whose last character is a typo (a state the
# teacher-forced model never saw):

# %%
K_SS = 20.0
ss_params, ss_loss = run_stack(lambda i: float(schedules.inverse_sigmoid(i, k=K_SS)))
typo_test = test[:PROMPT].copy()
typo_test[-1] = (typo_test[-1] + np.random.default_rng(3).integers(1, generative.V,
                                                                     size=test.shape[1])) % generative.V
assert np.all(typo_test[-1] != test[PROMPT - 1])
print(f"{'8 seeds trained with':>22} | {'truth fed':^19} | {'generating':^19} | "
      f"{'after a typo':^19} | generate correctly")
summary = {}
for name, params in [("teacher forcing", tf_params), ("scheduled sampling", ss_params),
                     ("teacher forcing, 20", early_params)]:
    forced, free = (a.mean(axis=1) for a in accuracies(params))
    after_typo = generative.generate_stack(params, typo_test, test.shape[0] - PROMPT)
    recovered = (after_typo[:, 10:] == test[PROMPT + 10:]).mean(axis=(1, 2))
    summary[name] = (forced, free, recovered)
    print(f"{name:>22} | {spread(forced):>19} | {spread(free):>19} | {spread(recovered):>19} | "
          f"{stats.rate_text(int((free >= 0.99).sum()), len(free))}")
print("accuracies: median over the seeds (10–90 % range); after a typo: characters 11–40")
tf_s, ss_s = summary["teacher forcing"], summary["scheduled sampling"]
assert np.all(tf_s[1] >= 0.99) and np.sum(ss_s[1] >= 0.99) == 1  # generating: 8/8 vs 1/8
assert np.median(tf_s[2]) > np.median(ss_s[2]) and np.median(ss_s[1]) > np.median(fr_free)

# %% [markdown]
# The honest result, over 8 seeds: on this toy, with $k = 20$ and 150 updates, scheduled
# sampling does **not** help, it hurts. All 8 teacher-forced models generate correctly,
# 1 of the 8 scheduled-sampling models does (median generating accuracy 0.88, 10–90 %:
# 0.84–0.99), and after a typo the teacher-forced models recover better (median 0.99
# against 0.81) — their perfect model re-synchronises on the deterministic sentence. The
# ablation is exact: the same seeds, the same training windows and budget; only
# $\epsilon_i$ differs. The scheduled-sampling models spent much of their budget feeding
# themselves their own, at first poor, samples: they are behind teacher forcing, though
# far ahead of free running. Other schedules and longer budgets were not tried here.
# Scheduled sampling pays off when the model *cannot* become perfect, so that the
# mistakes it meets at generation time are inevitable: Bengio et al. report gains on image
# captioning, constituency parsing and speech recognition. It is
# also no free lunch: Huszár (2015) showed that its training objective is improper (it
# does not, in general, lead to the true distribution even with unlimited data). The
# lesson: teacher forcing is the default; watch for exposure bias by generating from the
# model, as we did above.
#
# ## 4 · The checklist
#
# Seed 002 ends: *"Be careful when training RNN… Possible solutions: clipping the
# gradients; advanced optimization technology (NAG, RMSprop); try LSTM (or other simpler
# variants); better initialization."* Here is where the course shows each, and what it
# does and does not fix:
#
# | remedy | fixes | where in the course |
# |---|---|---|
# | clip the gradients | exploding gradients (cliffs); does nothing for vanishing | [04 · gradient clipping](04_gradient_clipping.ipynb) |
# | NAG, momentum | ill-conditioning (ravines); NAG damps the steep directions; not plateaus, and they overshoot cliffs | 06 · more remedies, §1 (this notebook) |
# | RMSProp, Adagrad, Adam | gradient *scale*: plateaus and cliffs both become steps of about η | 06 · more remedies, §1 (this notebook) |
# | LSTM, GRU (gated cells) | vanishing gradients, by an additive cell-state path | [05 · LSTM and GRU](05_lstm_and_gru.ipynb), capstone [07](08_capstone_jane_said_hi.ipynb) |
# | better initialisation (identity + ReLU) | vanishing at the start of training (identity + tanh also preserves it, yet learned 0/16 in §2) | 06 · more remedies, §2 (this notebook) |
# | teacher forcing, scheduled sampling | teacher forcing: slow training of generative models; SS targets exposure bias (hurt on our toy at 150 updates) | 06 · more remedies, §3 (this notebook) |
# | truncated BPTT | the cost of long unrolling (not the gradient's size) | [01 · unrolling and BPTT](01_unrolling_and_bptt.ipynb) |
# | understanding *why*: $\alpha^t$, $w^n$, eigenvalues | diagnosis before cure | [02 · scalar toys](02_vanishing_and_exploding_toys.ipynb), [03 · Jacobians](03_jacobians_and_eigenvalues.ipynb) |
#
# And "be careful": measure. Print gradient norms (notebook 04), plot the loss on a log
# axis, compare with a trivial baseline (MSE 1/6 on the adding problem), and look at what
# a generative model produces when it feeds itself.

# %% [markdown]
# ### Exercise 3: read a schedule
#
# With the exponential schedule $\epsilon_i = k^i$ and
# $k = 0.9995$, after how many training iterations is the truth fed only 10% of the time?
# Work it out on paper first (take logarithms), then check it with the explorer.

# %%
from helpers.exercises import check_value


def answer():
    ### BEGIN SOLUTION
    return np.log(0.1) / np.log(0.9995)
    ### END SOLUTION


passed = check_value("Exercise 3 (ε_i = 0.1)", answer,
                     schedules.crossing("exponential", 0.1, k=0.9995), rtol=0.01,
                     explanation="i = ln 0.1 / ln k.")

# %% [markdown]
# ## Summary
#
# - **Adaptive optimizers** (Adagrad, RMSProp, Adam) divide each step by the size of recent
#   gradients, so their steps are bounded (Adam's by about $7.3\,\eta$ per coordinate, not
#   the $3.2\,\eta$ of the sparse case) and a cliff cannot catapult them. On Pascanu's
#   surface, swept over 48 learning rates, **SGD (± clipping), momentum, RMSProp and NAG
#   have no robust $\eta$**; Adagrad has a contiguous window $\eta \approx 0.8$–$1.9$ (at
#   least 62 of 64, 97 %, random plateau starts reach the valley in 100 updates), and Adam comes
#   close at $\eta \approx 0.27$–$0.42$. One surface, one budget: not a general ranking.
# - **Momentum and NAG** help where they were designed to, in an ill-conditioned ravine:
#   per eigen-direction, NAG's look-ahead cuts the momentum to $\mu(1 - \eta\lambda)$ and
#   damps the steep directions that momentum keeps oscillating in.
# - **Identity initialisation** makes every step's Jacobian a 0/1 diagonal matrix at the
#   start under ReLU (IRNN), so most of the gradient reaches back over hundreds of steps
#   (74 % after 200 steps in §2's check); identity + tanh preserves it about as well. On the
#   adding problem (800 updates, 16 seeds each) the IRNN learned most often, the Xavier
#   tanh RNN rarely and identity + tanh never: preserving the gradient is not enough; the
#   IRNN also integrates its inputs, $h_t = h_{t-1} + W_x x_t$ while its units are on.
# - **Teacher forcing** feeds the truth and trains a generative model fast and stably;
#   **free running** feeds the model's own samples, as at generation time, and trains
#   slowly. Teacher forcing changes what the network is fed, not the gradient's path: with
#   $h \to h$ recurrence, BPTT still runs through every $h$. A teacher-forced model that is
#   not yet perfect suffers from **exposure bias** (Ranzato et al. 2016): generating, a
#   character after a mistake is right far less often than one after a correct character
#   (8 models × 500 windows in §3), and the errors compound.
# - **Scheduled sampling** moves from one to the other with a schedule $\epsilon_i$ (linear,
#   exponential, inverse sigmoid); the inverse sigmoid crosses $\tfrac12$ at $i = k \ln k$.
#   On our deterministic toy, with $k = 20$ and 150 updates, it hurt: 1/8 seeds generate
#   correctly against 8/8 with teacher forcing on the same data and budget.
#
# Next: **[07 · Capstone: "Jane said hi to __"](08_capstone_jane_said_hi.ipynb)**.
#
# ## References
#
# - Bengio, S., Vinyals, O., Jaitly, N. & Shazeer, N. (2015). *Scheduled sampling for
#   sequence prediction with recurrent neural networks.* NeurIPS.
# - Doya, K. (1993). *Bifurcations of recurrent neural networks in gradient descent
#   learning.* IEEE Transactions on Neural Networks (as cited by Pascanu et al. 2013).
# - Duchi, J., Hazan, E. & Singer, Y. (2011). *Adaptive subgradient methods for online
#   learning and stochastic optimization.* JMLR 12.
# - Goh, G. (2017). *Why momentum really works.* Distill. doi:10.23915/distill.00006
# - Goodfellow, I., Bengio, Y. & Courville, A. (2016). *Deep Learning*, §10.2.1 (teacher
#   forcing and networks with output recurrence). MIT Press.
# - Huszár, F. (2015). *How (not) to train your generative model: scheduled sampling,
#   likelihood, adversary?* arXiv:1511.05101.
# - Kingma, D. P. & Ba, J. (2015). *Adam: a method for stochastic optimization.* ICLR.
# - Le, Q. V., Jaitly, N. & Hinton, G. E. (2015). *A simple way to initialize recurrent
#   networks of rectified linear units.* arXiv:1504.00941.
# - Nesterov, Y. (1983). *A method for solving the convex programming problem with
#   convergence rate O(1/k²).* Soviet Mathematics Doklady 27.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). *On the difficulty of training recurrent
#   neural networks.* ICML.
# - Polyak, B. T. (1964). *Some methods of speeding up the convergence of iteration
#   methods.* USSR Computational Mathematics and Mathematical Physics 4(5).
# - Ranzato, M., Chopra, S., Auli, M. & Zaremba, W. (2016). *Sequence level training with
#   recurrent neural networks.* ICLR.
# - Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). *On the importance of
#   initialization and momentum in deep learning.* ICML.
# - Tieleman, T. & Hinton, G. (2012). *Lecture 6.5 — RMSProp: divide the gradient by a
#   running average of its recent magnitude.* COURSERA: Neural Networks for Machine Learning.
# - Williams, R. J. & Zipser, D. (1989). *A learning algorithm for continually running fully
#   recurrent neural networks.* Neural Computation 1(2).
# - Seeds: Krähenbühl & Wu (2019), *Training recurrent networks* (teacher forcing: "use
#   ground truth inputs"); Lee, H.-y., *Training Recurrent Neural Network* (NAG, RMSProp,
#   Adagrad, identity + ReLU, the concluding remarks).
