"""The zoo members broken only on rare but valid input, which more than one test module runs: the generated checks
must catch them (tests/receiver/test_generated_checks.py, tests/sender/test_sender_generated.py), and the suites'
own tests count them among the targets that fail every check (test_receiver_suite.py, test_sender_suite.py)."""

from __future__ import annotations

import receivers as r
import senders as s
from suite_runner import may_hold_an_empty_string, names, of_types_whose_data

# (receiver broken only on rare but valid input, the requirement it fails, the checks that may catch it)
RARE_RECEIVERS = [
    (r.CrashesOnEmptyFirstName, "RCV-01", of_types_whose_data("RCV-GEN", names("firstName"))),
    (r.KnowsFourStatuses, "RCV-01", of_types_whose_data("RCV-GEN", names("newStatus"))),
    (r.CrashesOnSeparatorInName, "RCV-04", {"RCV-GEN-005"}),
    (r.TreatsDigitKeysAsIndices, "RCV-11", {"RCV-GEN-006"}),
    (r.TopLevelExtrasAreText, "RCV-07", {"RCV-GEN-007"}),
]

# (sender broken only on rare but valid data, the requirements it fails, the checks that must catch it)
RARE_SENDERS = [
    (s.DropsEmptyStrings, {"SND-01"}, of_types_whose_data("SND-GEN", may_hold_an_empty_string) | {"SND-WIRE-001"}),
    # it sends what it signs: SND-03 alone, SND-04's sweep names SND-03 as the owner (decision 14)
    (s.PythonNumbers, {"SND-03"}, {"SND-GEN-005", "SND-WIRE-002"}),
]
