"""The website's code colours meet WCAG 2.1 AA (4.5:1 against the code background)."""

from __future__ import annotations

import importlib.util
import re

from pygments.formatters import HtmlFormatter

from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("site_build", ROOT / "tools" / "site.py")
site_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site_build)


def test_contrast_matches_wcag_reference_values():
    assert abs(site_build.contrast("#000000", "#ffffff") - 21.0) < 1e-9
    assert abs(site_build.contrast("#777", "#fff") - 4.48) < 0.01  # WCAG's classic near-miss


def test_every_code_colour_reaches_4_5_to_1_and_dark_ones_are_kept():
    css = HtmlFormatter(style="default").get_style_defs(".highlight")
    out = site_build.readable_css(css)
    colours = re.findall(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})", out)
    assert len(colours) > 20
    assert all(site_build.contrast(c, site_build.CODE_BACKGROUND) >= 4.5 for c in colours)
    assert ".highlight .k { color: #008000" in out  # already AA: unchanged
