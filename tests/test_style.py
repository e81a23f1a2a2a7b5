"""The course palette: every colour meets WCAG 2.1's 3:1 non-text contrast on white, and
the colours stay apart for colour-blind readers (simulated protanopia, deuteranopia,
tritanopia; Machado, Oliveira & Fernandes 2009, severity 1) — computed here from the
published formulas, independently of helpers.style."""

from __future__ import annotations

import itertools

import matplotlib as mpl
import numpy as np

from helpers import style

#: Machado et al. (2009) simulation matrices at severity 1.0, applied in linear RGB.
CVD = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def _linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def _srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array(mpl.colors.to_rgb(hex_colour))


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2.1 contrast ratio (relative luminance, definition in WCAG 2.1 §1.4.3)."""
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(_rgb(hex_colour)))
    return 1.05 / (luminance + 0.05)


def _lab(rgb: np.ndarray) -> np.ndarray:
    t = (SRGB_TO_XYZ @ _linear(rgb)) / WHITE_D65
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_contrast_formula_matches_published_values():
    # WCAG's extremes, and the Okabe–Ito colours the palette had to replace
    assert abs(contrast_with_white("#000000") - 21.0) < 1e-9
    assert abs(contrast_with_white("#FFFFFF") - 1.0) < 1e-9
    assert contrast_with_white("#767676") > 4.5 > contrast_with_white("#777777")  # the AA grey
    assert contrast_with_white("#F0E442") < 1.4 and contrast_with_white("#E69F00") < 3


def test_every_palette_colour_has_3_to_1_contrast_on_white():
    low = {name: round(contrast_with_white(c), 2) for name, c in style.COLORS.items()}
    assert all(v >= 3.0 for v in low.values()), low
    assert all(contrast_with_white(c) >= 3.0 for c in style.CYCLE)


def test_colours_stay_apart_for_colour_blind_readers():
    colours = list(style.COLORS.values())
    for vision, matrix in CVD.items():
        labs = [_lab(_srgb(matrix @ _linear(_rgb(c)))) for c in colours]
        closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
        assert closest >= 12.0, f"{vision}: two colours only {closest:.1f} ΔE apart"


def test_text_is_dark_enough_for_4_5_to_1():
    style.use()
    for key in ("text.color", "axes.labelcolor", "xtick.color", "ytick.color"):
        assert contrast_with_white(mpl.rcParams[key]) >= 4.5, key
