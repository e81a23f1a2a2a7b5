"""The cell diagrams draw without error, carry their labels, and refuse bad stages."""

from __future__ import annotations

import io

import pytest

from helpers import diagrams


@pytest.mark.parametrize("stage", [1, 2, 3, 4])
def test_each_lstm_stage_draws_with_its_pieces(stage):
    fig = diagrams.lstm_figure((stage,))
    fig.savefig(io.BytesIO(), format="png")
    text = diagrams.labels(fig)
    assert diagrams.LSTM_STAGES[stage] in text and diagrams.LSTM_EQUATIONS[stage] in text
    assert {"$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$x_t$"} <= set(text)
    gates = {"f": stage >= 2, "i": stage >= 3, "g": stage >= 3, "o": stage >= 4}
    for gate, present in gates.items():
        assert (gate in text) == present, (stage, gate)
    assert ("$h_t$" in text) == (stage == 4)


def test_the_stages_build_up_piece_by_piece():
    counts = []
    for stage in (1, 2, 3, 4):
        fig = diagrams.lstm_figure((stage,))
        counts.append(len(fig.axes[0].patches))
    assert counts == sorted(counts) and len(set(counts)) == 4


def test_the_full_figure_has_one_panel_per_stage():
    fig = diagrams.lstm_figure()
    assert len(fig.axes) == 4
    assert [ax.get_title(loc="left") for ax in fig.axes] == list(diagrams.LSTM_STAGES.values())


def test_the_gru_diagram_shows_torch_convention():
    fig = diagrams.gru_figure()
    fig.savefig(io.BytesIO(), format="png")
    text = diagrams.labels(fig)
    assert r"$h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$" in text
    assert {"z", "r", "n", "1 − z", "$h_{t-1}$", "$h_t$", "$x_t$"} <= set(text)
    assert any("z = 1 keeps the state" in t for t in text)


@pytest.mark.parametrize("bad", [0, 5, 2.5, "2", None, True])
def test_bad_stages_are_refused_by_name(bad):
    with pytest.raises((ValueError, TypeError), match="stage"):
        diagrams.lstm_figure((bad,))
    with pytest.raises((ValueError, TypeError), match="stage"):
        diagrams.lstm_figure(bad)
