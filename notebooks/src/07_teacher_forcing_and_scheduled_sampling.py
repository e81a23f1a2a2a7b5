# %% [markdown]
# # 07 · Teacher forcing, exposure bias and scheduled sampling
#
# A *generative* RNN writes a sequence one symbol at a time, and each symbol it writes
# becomes its next input. Training it raises a question the earlier notebooks never met:
# at step $t$, do we feed the network the **true** previous symbol, or **its own**? Seed
# 000 lists "use ground truth inputs" among the remedies for hard-to-train RNNs. This
# session trains the same small character model both ways, over 8 seeds, and follows the
# consequences: fast training, a gradient that still flows through time, errors that
# compound when the model feeds itself, and the curriculum between the two regimes.
#
# **You will learn**
# - what teacher forcing and free running feed the network, and why teacher forcing trains
#   a generative model fast (8/8 seeds against 0/8 here);
# - that teacher forcing changes the *inputs*, not the gradient's path: with $h \to h$
#   recurrence BPTT still runs through every $h$ (checked by finite differences), and why
#   it is nevertheless listed as a remedy (Doya 1993; Goodfellow et al. 2016, §10.2.1);
# - what *exposure bias* is and how to see it: after a mistake, the next character is
#   right far less often when the model feeds itself;
# - scheduled sampling (Bengio et al. 2015), its three schedules, and what it did on our toy;
# - the lecture's concluding checklist: which remedy fixes what.

# %%
import os

# The matrices here are tiny: BLAS worker threads would only add overhead (and fight
# over the cores of a shared machine), so we use one thread. Set before NumPy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np

from helpers import generative, optim, rnn, schedules, stats, style
from helpers.explorers import ALL

style.use()
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1 · Two ways to feed a generative RNN
#
# The model predicts the next character from the ones before it. During training, the
# input at step $t$ can be
# - **teacher forcing** (Williams & Zipser 1989): the *true* previous character,
#   $x_t = y_{t-1}$;
# - **free running**: the model's *own* previous prediction, a sample from its softmax —
#   as when it generates (our tests generate greedily, feeding back the most likely
#   character instead of a sample).
#
# Our data is one sentence repeated forever, read in windows:

# %%
print(repr(generative.TEXT), f"— vocabulary {generative.VOCAB!r}, V = {generative.V}")
for column in generative.windows(3, 30, rng=np.random.default_rng(0)).T:
    print(repr(generative.decode(column)))
assert generative.decode(generative.encode(generative.TEXT)) == generative.TEXT

# %% [markdown]
# Deterministic, but not trivial: after "t" comes "h" in "the" and a space in "cat", and
# after "the " comes "c" once and "m" once, so the model must carry context in its state.
# The model is a tanh RNN with $H = 32$ units and a softmax read-out:
# $$h_t = \tanh(W_x x_t + W_h h_{t-1} + b), \qquad
#   \text{logits}_t = W_y h_t + b_y, \qquad h_0 = 0,$$
# with $x_t$ one-hot, trained on the mean cross-entropy of every next character
# (`helpers.generative.fit`: windows of 25 characters, global-norm clipping at 5, Adam).
# `generative.scheduled_inputs` builds the inputs for any mix: with probability $\epsilon$
# the truth, otherwise the model's own sample ($\epsilon = 1$: teacher forcing, $\epsilon = 0$:
# free running); no gradient flows through the choice.
#
# We train both ways, 100 updates of 16 windows, **8 seeds each**, the 8 seeds of a regime
# as one stack (`generative.fit_stack`). A model **generates correctly** when, fed a
# 10-character true prompt, at least 99 % of the 40 characters it then writes are right.

# %%
H_GEN, GEN_STEPS, GEN_BATCH, SEEDS = 32, 100, 16, list(range(8))


def run_stack(epsilon, steps=GEN_STEPS):
    """The 8 seeds trained together; ``epsilon(i)`` as in generative.fit (None: teacher
    forcing). Every regime draws the same training windows (generator 10); coin flips and
    the model's samples come from a generator of their own (20)."""
    return generative.fit_stack(generative.init_stack(H_GEN, seeds=SEEDS), steps=steps,
                                optimizer=optim.Adam(lr=0.005), epsilon=epsilon,
                                rng=np.random.default_rng(10), batch=GEN_BATCH,
                                sample_rng=np.random.default_rng(20))


test = generative.windows(200, 50, rng=np.random.default_rng(7))  # 10 prompt + 40 to predict
PROMPT = 10


def accuracies(params):
    """Per model, position after the prompt and window (M, 40, 200): is the prediction
    right with the truth fed (teacher-forced), and when the model feeds itself?"""
    truth = test[PROMPT:]
    forced = generative.teacher_forced_predictions(params, test)[:, PROMPT - 1:]
    free = generative.generate_stack(params, test[:PROMPT], test.shape[0] - PROMPT)
    return forced == truth, free == truth


def spread(values):
    med, q10, q90 = stats.median_range(values)
    return f"{med:.3f} ({q10:.3f}–{q90:.3f})"


tf_params, tf_loss = run_stack(None)  # teacher forcing
fr_params, fr_loss = run_stack(lambda i: 0.0)  # free running
acc = {"teacher forcing": accuracies(tf_params), "free running": accuracies(fr_params)}
print(f"{'8 seeds trained with':>20} | {'truth fed':^19} | {'generating':^19} | generate correctly")
for name, (forced, free) in acc.items():
    forced, free = forced.mean(axis=(1, 2)), free.mean(axis=(1, 2))
    print(f"{name:>20} | {spread(forced):>19} | {spread(free):>19} | "
          f"{stats.rate_text(int((free >= 0.99).sum()), len(free))}")
print("accuracy per seed: median over the 8 seeds (10–90 % range); counts with a 95 % interval")
tf_free = acc["teacher forcing"][1].mean(axis=(1, 2))
fr_forced, fr_free = (a.mean(axis=(1, 2)) for a in acc["free running"])
assert np.all(tf_free >= 0.99) and np.all(fr_free < 0.99)
assert 0.30 < np.median(fr_forced) < 0.50  # "fewer than half ... even when fed the truth"

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
# With the truth as input, all 8 models learn the sentence within the budget and
# generate it correctly (8/8). Trained on their own samples, none does (0/8): after the
# same 100 updates they predict fewer than half of the characters right even when fed
# the truth — at first their samples are random, so they must predict the true next
# character from garbage context. The ablation is the feeding alone: same seeds, same
# training windows, same budget. Teacher forcing changes **what the network is fed**:
# every step sees a correct context, and no step is punished for an earlier sampled
# mistake.
#
# ## 2 · The gradient still flows through time
#
# Teacher forcing does **not** make each prediction's gradient "about that prediction
# alone". Our network has hidden-to-hidden recurrence, so the loss at the last step still
# depends on every earlier input through $h$, and BPTT runs back through all of them.
# Check it on one teacher-forced window of 24 inputs, with the loss on the *last*
# prediction only: its gradient with respect to the first input, by BPTT
# (`rnn.backward(..., return_dxs=True)`) and by finite differences.

# %%
fresh = generative.init_model(H_GEN, rng=np.random.default_rng(0))  # any parameters do
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
_, _, full = rnn.backward(dhs_tf, cache_tf, return_dxs=True)
num = np.empty(generative.V)  # finite differences at the first input x_1, 23 steps back
for j in range(generative.V):
    bump = np.zeros_like(xs_tf)
    bump[0, 0, j] = 1e-6
    num[j] = (last_loss(fresh, xs_tf + bump)[0] - last_loss(fresh, xs_tf - bump)[0]) / 2e-6
err = np.linalg.norm(num - full[0, 0]) / np.linalg.norm(num)
assert err < 1e-5 and np.linalg.norm(num) > 1e-8
shrink = np.linalg.norm(full[-1, 0]) / np.linalg.norm(full[0, 0])
print(f"‖∂ℓ_T/∂x_1‖ = {np.linalg.norm(num):.1e} by finite differences; BPTT agrees "
      f"(relative error < 1e-5) ✓;\nthe gradient shrinks by a factor {shrink:.0f} from the "
      "last input to the first")
assert 10 < shrink < 1000

# %% [markdown]
# The first input, 23 steps back, has a gradient; in this freshly initialised network it
# shrinks 54-fold on the way, as in notebooks 02 and 03 (one network, one window: an
# illustration, not a measurement). Why, then, does seed 000 list ground-truth inputs among the remedies
# for vanishing and exploding gradients? Two reasons from the literature:
#
# - **It keeps the dynamics away from bifurcations.** Training can drive a recurrent
#   network across bifurcations of its dynamics, where the gradient explodes (Doya 1993;
#   notebook 04's cliffs). Feeding the targets keeps the state near the target trajectory;
#   Pascanu et al. (2013, §3.1) cite teacher forcing in this sense.
# - **Without $h \to h$ recurrence it removes BPTT.** If the only recurrence runs from
#   the *output* at $t - 1$ to the state at $t$, teacher forcing replaces that output by
#   the truth and the steps decouple: no gradient through time at all (Goodfellow et al.
#   2016, §10.2.1). Our network has $h \to h$ connections, so this does not apply to it.
#
# ## 3 · Exposure bias: errors compound when the model feeds itself
#
# In training, a teacher-forced model only sees true prefixes; generating, it sees its
# own, mistakes included. One wrong character puts it in a state it never met in
# training, the next prediction is more likely wrong, and errors compound — the mismatch
# Bengio et al. (2015) describe and Ranzato et al. (2016) named **exposure bias**. A
# perfect model never errs, so we look at *imperfect* ones: the 8 teacher-forced models
# after only 20 updates. For each model, over 200 test windows: how often is a character
# right just after a wrong one, and just after a right one?

# %%
early_params, _ = run_stack(None, steps=20)
right_tf, right_gen = accuracies(early_params)  # (M, 40, B) each
print(f"after 20 updates, 8 seeds: accuracy {spread(right_tf.mean(axis=(1, 2)))} with the "
      f"truth fed, {spread(right_gen.mean(axis=(1, 2)))} generating")
cond = {}  # per model (M,): P(next right | this one wrong), P(next right | this one right)
for name, right in [("generating", right_gen), ("truth fed", right_tf)]:
    now, nxt = right[:, :-1], right[:, 1:]
    cond[name] = ((nxt & ~now).sum(axis=(1, 2)) / (~now).sum(axis=(1, 2)),
                  (nxt & now).sum(axis=(1, 2)) / now.sum(axis=(1, 2)))
    print(f"{name:>10}: P(next right | this one wrong) = {spread(cond[name][0])}, "
          f"P(next right | this one right) = {spread(cond[name][1])}")
(gen_wrong, gen_right), tf_wrong = cond["generating"], cond["truth fed"][0]
print(f"per model, after a mistake, generating is right less often than after a right "
      f"character in {(gen_wrong < gen_right).sum()}/8, than with the truth fed in "
      f"{(gen_wrong < tf_wrong).sum()}/8")
assert np.all(gen_wrong < gen_right) and np.all(gen_wrong < tf_wrong)
assert np.median(gen_wrong) < 0.35 < 0.65 < np.median(gen_right)
assert np.median(tf_wrong) > np.median(gen_wrong) + 0.3

# %%
fig, ax = plt.subplots(figsize=(9, 4))
pos = np.arange(1, right_tf.shape[1] + 1)
for right, label, color, ls in [(right_tf, "truth fed (teacher-forced)", "blue", "-o"),
                                (right_gen, "own predictions fed (generating)", "vermillion", "--s")]:
    med, q10, q90 = stats.median_range(right.mean(axis=2), axis=0)
    ax.fill_between(pos, q10, q90, color=style.COLORS[color], alpha=0.25, lw=0)
    ax.plot(pos, med, ls, ms=4, color=style.COLORS[color], label=f"{label}: median of 8 seeds")
ax.set_ylim(0, 1.03)
ax.set_xlabel("characters after the 10-character prompt")
ax.set_ylabel("accuracy (fraction of 200 windows)")
ax.set_title("After 20 teacher-forced updates, two ways of feeding the same models "
             "(band: 10–90 %)", fontsize=12)
ax.legend(loc="lower left")
plt.show()

# %%
gen_med = np.median(right_gen.mean(axis=2), axis=0)
print(f"generating, median accuracy: first 5 characters {gen_med[:5].mean():.2f}, "
      f"last 10 {gen_med[-10:].mean():.2f}; with the truth fed: "
      f"{np.median(right_tf.mean(axis=2), axis=0).mean():.2f} on average over positions")
assert gen_med[:5].mean() > gen_med[-10:].mean() + 0.5

# %% [markdown]
# Fed the truth (blue), the young models are right most of the time at every position.
# Fed their own predictions (vermillion), they start near that level and decay as
# generation proceeds, and in each of the 8 models a character after a mistake is right
# far less often than one after a correct character — and than one after a mistake when
# the truth is fed. The per-step model is the same; only what it is fed differs.
# Training longer (§1) makes this model perfect and the problem disappears; on real data,
# where no model is perfect, it does not.
#
# ## 4 · Scheduled sampling
#
# Bengio et al. (2015) proposed a curriculum: at training iteration $i$, feed the truth
# with probability $\epsilon_i$ and the model's own sample otherwise, with $\epsilon_i$
# decaying from 1 (teacher forcing) towards 0 (free running, like generation). Their three
# schedules, in `helpers.schedules`:
# $$\text{linear: } \epsilon_i = \max(\epsilon,\; k - c\, i), \qquad
#   \text{exponential: } \epsilon_i = k^i \;(k < 1), \qquad
#   \text{inverse sigmoid: } \epsilon_i = \frac{k}{k + \exp(i / k)} \;(k \ge 1).$$
# The inverse sigmoid crosses $\epsilon_i = \tfrac12$ where $\exp(i/k) = k$, at
# $i = k \ln k$; the exponential at $i = \ln\tfrac12 / \ln k$. Both checked:

# %%
i = np.array([0.0, 100.0, 1000.0, 5000.0])
assert np.allclose(schedules.linear(i, c=1e-4, k=1.0, eps=0.1), np.maximum(0.1, 1 - 1e-4 * i))
assert np.allclose(schedules.exponential(i, k=0.999), 0.999**i, rtol=1e-12)
assert np.allclose(schedules.inverse_sigmoid(i, k=500.0), 500 / (500 + np.exp(i / 500)),
                   rtol=1e-12)
for kind, params, closed in [("exponential", {"k": 0.999}, np.log(0.5) / np.log(0.999)),
                             ("inverse sigmoid", {"k": 500.0}, 500 * np.log(500))]:
    at = schedules.crossing(kind, 0.5, **params)
    print(f"{kind:>15}: ε_i = 1/2 at i = {at:.1f} (closed form {closed:.1f})")
    assert abs(at - closed) < 1e-9 * closed
    assert abs(float(schedules.epsilon(kind, at, **params)) - 0.5) < 1e-12

# %% [markdown]
# **Predict, then slide:** where does the inverse sigmoid cross $\tfrac12$ for $k = 1000$?
# Which exponential $k$ crosses $\tfrac12$ at the same iteration as the inverse sigmoid
# with $k = 500$ (**exp. k** moves in steps of 0.0001 up to 0.999, then of 0.00001)? In
# the lower panel each column is one training sequence: which colour dominates at the end
# of training, and what does the model see there?

# %%
ex_ss = ALL["nb07.sampling_schedule"]()
ex_ss

# %% [markdown]
# <details>
# <summary>Check your predictions (click to open)</summary>
#
# At $i = 1000 \ln 1000 \approx 6908$. The exponential crosses at $\ln\tfrac12 / \ln k$,
# so $k = 0.5^{1/3107} \approx 0.999777$ matches the inverse sigmoid's 3107 at $k = 500$
# (the slider comes nearest at 0.99978, crossing at $i \approx 3150$). At the end of
# training the model's own samples dominate: the model trains as it will generate.
# Position 1 is always the truth: every sequence starts from a true character.
# </details>

# %%
k_match = 0.5 ** (1 / (500 * np.log(500)))
assert abs(1000 * np.log(1000) - 6908) < 1 and abs(k_match - 0.999777) < 1e-6
assert abs(schedules.crossing("exponential", 0.5, k=0.99978) - 3150) < 1
k_options = [k for _, k in ex_ss.controls["k_exp"].options]  # the slider's values
nearest = min(k_options, key=lambda k: abs(schedules.crossing("exponential", 0.5, k=k) - 3107))
steps = np.diff(k_options)  # 0.0001 up to 0.999, then 0.00001
assert np.allclose(steps[:90], 1e-4) and np.allclose(steps[90:], 1e-5) and k_options[90] == 0.999
k_sig = ex_ss.controls["k_sig"]  # k = 500 and 1000 are on its grid
assert nearest == 0.99978 and k_sig.min <= 500 and 1000 <= k_sig.max
assert all((k - k_sig.min) % k_sig.step == 0 for k in (500, 1000))
print(f"k = 1000: 1/2 at i = {1000 * np.log(1000):.0f}; matching exponential k = "
      f"{k_match:.6f}; the slider's 0.99978 crosses at "
      f"{schedules.crossing('exponential', 0.5, k=0.99978):.0f} ✓")

# %% [markdown]
# Does it help our character model? Train it with an inverse-sigmoid schedule scaled to
# the 100 updates ($k = 15$: $\epsilon_i = \tfrac12$ at $i = 15 \ln 15 \approx 41$), with the
# same 8 seeds, training windows and budget as teacher forcing — only $\epsilon$ differs —
# and test from a correct prompt and from a prompt whose last character is a typo (a state
# the teacher-forced models never saw). Recovery is the accuracy on characters 11–40
# after the typo.

# %%
ss_params, _ = run_stack(lambda i: float(schedules.inverse_sigmoid(i, k=15.0)))
typo = test[:PROMPT].copy()
typo[-1] = (typo[-1] + np.random.default_rng(3).integers(1, generative.V,
                                                          size=test.shape[1])) % generative.V
assert np.all(typo[-1] != test[PROMPT - 1])
print(f"{'8 seeds trained with':>20} | {'generating':^19} | {'after a typo':^19} | "
      "generate correctly")
result = {}
for name, params in [("teacher forcing", tf_params), ("scheduled sampling", ss_params)]:
    free = (acc["teacher forcing"][1] if name == "teacher forcing"
            else accuracies(params)[1]).mean(axis=(1, 2))
    after_typo = generative.generate_stack(params, typo, test.shape[0] - PROMPT)
    recovered = (after_typo[:, 10:] == test[PROMPT + 10:]).mean(axis=(1, 2))
    result[name] = (free, recovered)
    print(f"{name:>20} | {spread(free):>19} | {spread(recovered):>19} | "
          f"{stats.rate_text(int((free >= 0.99).sum()), len(free))}")
(tf_gen, tf_rec), (ss_gen, ss_rec) = result["teacher forcing"], result["scheduled sampling"]
assert np.all(tf_gen >= 0.99) and np.sum(ss_gen >= 0.99) == 1  # 8/8 against 1/8
assert np.median(tf_rec) > np.median(ss_rec) and np.median(ss_gen) > np.median(fr_free)
assert np.sum(schedules.inverse_sigmoid(np.arange(GEN_STEPS), k=15.0) < 0.5) == 59

# %% [markdown]
# The honest result on this toy: scheduled sampling does **not** help, it hurts. All 8
# teacher-forced models generate correctly, 1 of the 8 scheduled-sampling models
# does, and after a typo the teacher-forced models recover better — their perfect
# model re-synchronises on the deterministic sentence. The scheduled-sampling models were
# fed their own samples more often than the truth in 59 of their 100 updates (from
# $i = 41$ on): behind teacher forcing, far ahead of free running. Other schedules and longer budgets were not tried. Scheduled
# sampling pays off when the model *cannot* become perfect, so that mistakes at generation
# time are inevitable: Bengio et al. report gains on image captioning, parsing and speech
# recognition. The lesson: teacher forcing is the default; watch for exposure bias by
# generating from the model.
#
# ## Exercises
#
# Each checker runs your function on several cases against a reference and names the
# mistake it recognises.
#
# ### Exercise 1: generate (10 minutes)
#
# Write free-running generation for the model of §1: read the `prompt` (ids of shape
# (P, B), one column per sequence) from $h_0 = 0$, then write `n` characters, each the
# model's **most likely** next character, fed back as the next input. Return the ids
# written, shape (n, B). Use only the equations of §1, `params` (`Wx` (H, V), `Wh` (H, H),
# `b` (H,), `Wy` (V, H), `by` (V,)) and `generative.one_hot`. Where does the first
# written character come from, and how many times is the last prompt character read?

# %%
from helpers.exercises import nb07 as exercises


def generate(params, prompt, n):
    ### BEGIN SOLUTION
    def step(ids, h):
        x = generative.one_hot(ids)
        return np.tanh(x @ params["Wx"].T + h @ params["Wh"].T + params["b"])

    h = np.zeros((prompt.shape[1], params["Wh"].shape[0]))
    for t in range(prompt.shape[0]):
        h = step(prompt[t], h)
    out = np.empty((n, prompt.shape[1]), dtype=np.int64)
    for t in range(n):
        out[t] = (h @ params["Wy"].T + params["by"]).argmax(axis=1)
        h = step(out[t], h)
    return out
    ### END SOLUTION


generate = exercises.check_generate(generate)

# %% [markdown]
# ### Exercise 2: when is the truth fed only a fraction $p$ of the time? (6 minutes)
#
# §4 found where the inverse sigmoid crosses $\tfrac12$. Derive, on paper, the iteration
# $i$ at which $\epsilon_i = \frac{k}{k + \exp(i/k)}$ equals any $p$ in
# $(0, \frac{k}{k+1})$, then write it as a function. (Why must $p$ be below
# $\frac{k}{k+1}$?) Then use it: with $k = 500$, for how many iterations is the truth fed
# more than 90 % of the time, and after how many is it fed less than 10 %?

# %%
def inverse_sigmoid_crossing(p, k):
    ### BEGIN SOLUTION
    return k * np.log(k * (1 - p) / p)
    ### END SOLUTION


inverse_sigmoid_crossing = exercises.check_inverse_sigmoid_crossing(inverse_sigmoid_crossing)

# %% [markdown]
# ### Exercise 3: the loss teacher forcing minimises (8 minutes)
#
# Write the training loss of §1 for one batch of windows `ids` of shape (T + 1, B): feed
# the true characters `ids[:-1]` (teacher forcing) from $h_0 = 0$, and return the
# cross-entropy of the true next characters `ids[1:]`, **averaged over every step and
# every window** (natural log). Subtract the largest logit before exponentiating. Which
# character does the input at step $t$ have to predict?

# %%
def teacher_forced_loss(params, ids):
    ### BEGIN SOLUTION
    xs = generative.one_hot(ids[:-1])
    h = np.zeros((ids.shape[1], params["Wh"].shape[0]))
    total = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ params["Wx"].T + h @ params["Wh"].T + params["b"])
        logits = h @ params["Wy"].T + params["by"]
        logits = logits - logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        total += -logp[np.arange(ids.shape[1]), ids[t + 1]].sum()
    return total / (xs.shape[0] * ids.shape[1])
    ### END SOLUTION


teacher_forced_loss = exercises.check_teacher_forced_loss(teacher_forced_loss)

# %% [markdown]
# ## Summary
#
# - **Teacher forcing** feeds the truth and trains a generative model fast (8/8 seeds
#   generate correctly after 100 updates); **free running** feeds its own samples and had
#   not learned the sentence after the same budget (0/8). It changes what the network is fed, not the gradient's path: with
#   $h \to h$ recurrence BPTT still runs through every $h$.
# - **Exposure bias**: a teacher-forced model that is not yet perfect, generating, is
#   right far less often after a mistake than after a correct character; errors compound.
# - **Scheduled sampling** moves from one regime to the other with a schedule
#   $\epsilon_i$; on our deterministic toy, at 100 updates, it hurt (1/8 seeds against 8/8).
#
# **The checklist.** Seed 002 ends: *"Be careful when training RNN… Possible solutions:
# clipping the gradients; advanced optimization technology (NAG, RMSprop); try LSTM (or
# other simpler variants); better initialization."* Where the course shows each:
#
# | remedy | fixes | where |
# |---|---|---|
# | clip the gradients | exploding gradients (cliffs); not vanishing | [04](04_gradient_clipping.ipynb) |
# | momentum, NAG | ill-conditioning (ravines); not plateaus | [06](06_optimizers_and_initialisation.ipynb) |
# | Adagrad, RMSProp, Adam | the gradient's *scale*: plateaus and cliffs become steps of about η | [06](06_optimizers_and_initialisation.ipynb) |
# | LSTM, GRU | vanishing gradients, by an additive cell-state path | [05](05_lstm_and_gru.ipynb), [08](08_capstone_jane_said_hi.ipynb) |
# | identity + ReLU initialisation | vanishing at the start of training | [06](06_optimizers_and_initialisation.ipynb) |
# | teacher forcing, scheduled sampling | slow training of generative models; exposure bias | this notebook |
# | truncated BPTT | the cost of long unrolling (not the gradient's size) | [01](01_unrolling_and_bptt.ipynb) |
#
# And "be careful": measure. Print gradient norms, plot the loss on a log axis, compare
# with a trivial baseline, and look at what a generative model writes when it feeds itself.
#
# Next: **[08 · Capstone: "Jane said hi to __"](08_capstone_jane_said_hi.ipynb)**.
#
# ## Going further
#
# ### One run is not the evidence
#
# Seed 0 alone, after 20 updates, makes a tempting story and a wrong one: its first
# mistake generating is a *model* error, not exposure bias — fed the truth, the same model
# is wrong at the same position. Only the aggregate over 8 models and 200 windows (§3)
# separates compounding from plain error.

# %%
gen0 = generative.generate_stack(early_params, test[:PROMPT, :1], 40)[0, :, 0]
wrong_gen = np.flatnonzero(gen0 != test[PROMPT:, 0])
wrong_tf = np.flatnonzero(~right_tf[0, :, 0])
print("one run (seed 0, window 0):")
print("  truth:    ", repr(generative.decode(test[PROMPT:, 0])))
print("  generated:", repr(generative.decode(gen0)))
print(f"  wrong positions generating {wrong_gen[:4]} …, with the truth fed {wrong_tf}")
assert wrong_gen[0] == wrong_tf[0]  # the first mistake is one the model makes anyway

# %% [markdown]
# ### Scheduled sampling is not a free lunch
#
# Huszár (2015) showed that the scheduled-sampling objective is improper: even with
# unlimited data and capacity, it does not in general lead to the true distribution.
# Its later use has been as a heuristic, tuned per task.
#
# ### From NumPy to PyTorch
#
# What the course wrote by hand, and what you will call in PyTorch. Each row is checked
# against torch 2.13 by `benchmarks/bench_torch_mapping.py` (run by
# `make bench BENCH="--only torchmap"` in the benchmarks' torch environment; results in
# `benchmarks/RESULTS.md`); the course itself never imports torch.
#
# | the course (`helpers`) | PyTorch | differences |
# |---|---|---|
# | `rnn.forward`, `rnn.backward` | `nn.RNN` (tanh), then `loss.backward()` | same equations; torch keeps two biases (`bias_ih_l0`, `bias_hh_l0`), the course's `b` is their sum |
# | each chunk run from the carried state, `rnn.forward(params, chunk, h0=h)`, full BPTT inside it | `h = h.detach()` between chunks | truncation at chunk boundaries (k1 = k2); `rnn.backward(truncate=k)`, which cuts k steps back from *every* loss, has no one-line torch equivalent |
# | `clip.clip_by_global_norm(g, c)` | `clip_grad_norm_(params, c)` after `backward()` | torch multiplies by $\min(1, c/(\lVert g\rVert + 10^{-6}))$ and by default (`error_if_nonfinite=False`) does not refuse a NaN or infinite norm; the course refuses it |
# | `clip.clip_by_value(g, c)` | `clip_grad_value_(params, c)` | identical |
# | `lstm`, `gru` | `nn.LSTM`, `nn.GRU` | same gate order (i, f, g, o; r, z, n), same GRU update $h_t = (1 - z) \odot n + z \odot h_{t-1}$, reset gate applied to $W_{hn} h + b_{hn}$ |
# | `optim.Momentum` | `optim.SGD(momentum=μ)` | torch accumulates $v \leftarrow \mu v + g$ and steps $-\eta v$: the same parameters for a fixed η |
# | `optim.Nesterov` | `optim.SGD(momentum=μ, nesterov=True)` | torch's parameters are Sutskever et al.'s look-ahead point $\theta + \mu v$ |
# | `optim.Adagrad` | `optim.Adagrad` | ε inside the root here ($\sqrt{\textstyle\sum g^2 + \epsilon}$), outside in torch ($\sqrt{\textstyle\sum g^2} + \epsilon$) |
# | `optim.RMSProp` | `optim.RMSprop` | seed 002 starts $\sigma^0 = \lvert g^0\rvert$; torch starts its average at 0, so its first step is $1/\sqrt{1 - \alpha}$ times larger; ε as for Adagrad |
# | `optim.Adam` | `optim.Adam` | the same algorithm (Kingma & Ba 2015, Algorithm 1), ε outside the root in both |
#
# ## References
#
# - Bengio, S., Vinyals, O., Jaitly, N. & Shazeer, N. (2015). *Scheduled sampling for
#   sequence prediction with recurrent neural networks.* NeurIPS.
# - Doya, K. (1993). *Bifurcations of recurrent neural networks in gradient descent
#   learning.* IEEE Transactions on Neural Networks (as cited by Pascanu et al. 2013).
# - Goodfellow, I., Bengio, Y. & Courville, A. (2016). *Deep Learning*, §10.2.1 (teacher
#   forcing and networks with output recurrence). MIT Press.
# - Huszár, F. (2015). *How (not) to train your generative model: scheduled sampling,
#   likelihood, adversary?* arXiv:1511.05101.
# - Kingma, D. P. & Ba, J. (2015). *Adam: a method for stochastic optimization.* ICLR.
# - Pascanu, R., Mikolov, T. & Bengio, Y. (2013). *On the difficulty of training recurrent
#   neural networks.* ICML.
# - Ranzato, M., Chopra, S., Auli, M. & Zaremba, W. (2016). *Sequence level training with
#   recurrent neural networks.* ICLR.
# - Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). *On the importance of
#   initialization and momentum in deep learning.* ICML.
# - Williams, R. J. & Zipser, D. (1989). *A learning algorithm for continually running fully
#   recurrent neural networks.* Neural Computation 1(2).
# - Seeds: Krähenbühl & Wu (2019), *Training recurrent networks* (teacher forcing: "use
#   ground truth inputs"); Lee, H.-y., *Training Recurrent Neural Network* (the concluding
#   remarks).
