"""Use case: create a new campaign workbook (kexie new)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from macros.adapters.xlsx_build import write_new_workbook
from macros.errors import ConfigError
from macros.presets import PRESETS, CampaignData, preset


def new_campaign(path: str | Path, preset_name: str | None = None, force: bool = False,
                 data: CampaignData | None = None, guide: Sequence[tuple[str, str, str]] = ()) -> Path:
    """Write a new campaign workbook; ``guide``: (label, what it does, command line) of the
    ribbon's buttons, listed on the 说明 sheet (the shells pass macros.commands.ribbon_guide())."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"活动工作簿必须是 .xlsx 文件：{path.name}")
    if path.exists() and not force:
        raise ConfigError(f"文件“{path}”已存在，为避免覆盖已有数据，本次没有新建。如确需覆盖，请加 --force。")
    if preset_name is not None and preset_name not in PRESETS:
        raise ConfigError(f"没有名为“{preset_name}”的预设。可用的预设：{'、'.join(PRESETS)}")
    return write_new_workbook(path, data or preset(preset_name), guide)
