"""The review round's award list, as certificates and documents read it.

``awards(master_or_engine_or_campaign)`` → ``[core.review_round.Award]`` (level, 编号, 题目,
报送单位, 献策人, 工作单位, 名次, 最终得分), in level order then rank, from the 评审结果 sheet
the last consolidation of the score forms wrote. Empty when there was no review round.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from macros.app.campaign import Campaign, load_campaign
from macros.core.review_round import Award, award_list


def awards(source: Any) -> list[Award]:
    if isinstance(source, Campaign):
        campaign = source
        if "review_results" not in campaign.frames or "items" not in campaign.frames:
            raise ValueError("the campaign must be loaded with the review_results and items tables")
    else:
        if isinstance(source, (str, Path)):
            from macros.adapters.file_engine import FileEngine

            source = FileEngine(source)
        campaign = load_campaign(source, tables=["review_results", "items"])
    return award_list(campaign.frame("review_results").to_dict("records"), campaign.frame("items").to_dict("records"))
