"""What the demo asks before printing the PDF: which Debian packages are missing.

`make demo` as a normal user on a machine without Chromium or the Japanese fonts writes
every other format and names these packages in one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from portfolio.errors import ConfigError
from portfolio.report.render.pdf import find_browser, missing_packages


def test_nothing_is_missing_on_a_machine_set_up_by_make_sysdeps() -> None:
    assert missing_packages() == []


def test_a_browser_named_by_the_setting_that_is_not_there_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PORTFOLIO_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(ConfigError, match="PORTFOLIO_CHROMIUM"):
        find_browser()
    assert missing_packages() == ["chromium"]


def test_fonts_fontconfig_cannot_find_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A fontconfig setup with no font directories: what a machine without fonts sees.
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>',
        encoding="utf-8",
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    assert missing_packages() == ["fonts-noto-cjk", "fonts-noto-color-emoji"]
