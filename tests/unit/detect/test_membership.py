"""Membership in a flagged cluster by place in its core: content ties plus one more family."""

import pandas as pd

from hydrascope.detect.params import DetectParams
from hydrascope.detect.pipeline import _core_member


def test_core_members_need_content_ties_another_family_and_half_the_best_tied_members_ties():
    mf = pd.DataFrame(
        {
            "cluster": [0] * 6,
            "ties": [60, 62, 58, 40, 2, 61],
            "families": [
                ["content", "timing"],
                ["content", "timing"],
                ["content", "timing"],
                ["content"],  # one family: not enough
                ["content", "timing"],  # a hanger-on with two ties
                ["network", "timing"],  # always-on hours on a shared network, no prompts shared
            ],
        }
    )
    assert _core_member(mf, DetectParams()).tolist() == [True, True, True, False, False, False]
