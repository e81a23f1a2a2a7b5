"""Text alternatives for figures (helpers.describe), and the hook that attaches them to every
figure a notebook shows (helpers.style.use)."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import describe, style


@pytest.fixture
def fig():
    figure, (ax1, ax2) = plt.subplots(1, 2)
    t = np.arange(201)
    ax1.semilogy(t, 0.95**t, label=r"$\alpha^t$")
    ax1.set_xlabel("lag $t$")
    ax1.set_ylabel("gain")
    ax1.set_title("linear RNN")
    ax2.bar([0, 1, 2], [0.2, 0.5, 0.3])
    ax2.set_xticks([0, 1, 2], ["Jane", "Tom", "other"])
    ax2.imshow(np.arange(6.0).reshape(2, 3))
    yield figure
    plt.close(figure)


def test_a_description_is_written_from_the_data(fig):
    text = describe.describe_figure(fig)
    assert text.startswith("Figure.") and "Panel 1 of 2" in text and '"linear RNN"' in text
    assert "x: lag t (" in text and "log scale" in text
    # the line: its label in readable form, where it starts and ends (0.95^200 = 3.5e-5)
    assert "α^t: from 1 at x = 0 to 3.51e-5 at x = 200" in text
    assert "3 bars of heights 0.2, 0.5, 0.3 at Jane, Tom, other" in text
    assert "An image of 2 by 3 values from 0 to 5" in text


def test_a_figure_may_carry_its_own_text(fig):
    fig.alt_text = "The gain falls below 1e-3 at t = 135."
    assert describe.describe_figure(fig) == "The gain falls below 1e-3 at t = 135."


def test_non_finite_values_are_named_not_printed_as_nan():
    figure, ax = plt.subplots()
    ax.plot([0, 1, 2], [1.0, np.inf, np.nan])
    text = describe.describe_figure(figure)
    plt.close(figure)
    assert (
        "nan" not in text.lower().replace("nan", "", 0)
        or "undefined" in text
        or "at (0, 1)" in text
    )


def test_png_with_alt_gives_a_png_and_its_text(fig):
    data, metadata = describe.png_with_alt(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and metadata["alt"] == describe.describe_figure(fig)


def test_style_use_attaches_the_text_to_every_figure_a_notebook_shows(fig):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        style.use()
        data, metadata = shell.display_formatter.format(fig)
        assert "image/png" in data
        assert metadata["image/png"]["alt"] == describe.describe_figure(fig)
        # JupyterLab ignores the metadata: the same PNG again, in an <img alt> it shows
        alt = metadata["image/png"]["alt"]
        assert data["text/html"] == describe.img_html(data["image/png"], alt)
        assert (
            f'<img alt="{html.escape(alt, quote=True)}" src="data:image/png;base64,'
            in (data["text/html"])
        )
        style.use()  # twice: wrapped once only
        _, again = shell.display_formatter.format(fig)
        assert again == metadata
    finally:
        InteractiveShell.clear_instance()


def test_an_explorer_names_its_picture_and_announces_each_frame():
    from helpers.explorers import ALL

    ex = ALL["nb02.alpha_horizon"]()
    bundle, metadata = ex._repr_mimebundle_()
    alt = metadata["image/png"]["alt"]
    assert bundle["text/html"] == describe.img_html(bundle["image/png"], alt)
    # the live status line holds the text of the frame shown, and changes with it
    assert html.escape(ex.describe()) in ex.status.value and "aria-live" in ex.status.value
    before = ex.status.value
    ex.update(alpha=ex.controls["alpha"].max)
    assert ex.status.value != before and html.escape(ex.describe()) in ex.status.value
    assert "alpha = " in ex.describe()
    ex.close()


def test_an_explorer_names_values_as_its_controls_show_them():
    """A selection slider's value by its label, a slider's by its readout format: two values
    the slider tells apart are told apart in the text (``.4g`` made 0.99977 and 0.99978 both
    0.9998)."""
    from helpers.explorers import ALL

    ex = ALL["nb07.sampling_schedule"]()
    ex.update(k_exp=0.99977)
    first = ex.describe().split(". ")[0]
    ex.update(k_exp=0.99978)
    second = ex.describe().split(". ")[0]
    assert "k_exp = 0.99977" in first and "k_exp = 0.99978" in second
    assert "eps_min = 0.10" in second and "k_sig = 500," in second  # ".2f", ".0f"
    ex.close()


def test_a_diagram_is_described_by_its_title_and_labels():
    """Axes drawn with the axis off (boxes, arrows, labels) are read as a diagram: its title
    and the labels it writes, each once, in drawing order (not the bare "Figure.")."""
    from matplotlib.figure import Figure

    from helpers.describe import describe_figure

    fig = Figure()
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title("One RNN step")
    for label in ("x_t", "h_t-1", "tanh", "h_t", "tanh"):
        ax.text(0.5, 0.5, label)
    ax.text(0.1, 0.1, "   ")  # blank: not read out
    assert (
        describe_figure(fig)
        == 'Figure. A diagram, "One RNN step", labelled: x_t; h_t-1; tanh; h_t.'
    )
    bare = Figure()
    bare.add_subplot().set_axis_off()
    assert describe_figure(bare) == "Figure. A diagram."
