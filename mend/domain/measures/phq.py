"""The PHQ-9 (depression) and GAD-7 (anxiety), from the Patient Health Questionnaire family.

Item wording, options and the notice are those of the public forms. The forms' unscored
last question ("how difficult have these problems made it...") is left out: it is not part
of the total. Reliable change and recovery follow the convention of NHS Talking Therapies
(formerly IAPT): PHQ-9 a change of 6 points and recovery below 10, GAD-7 a change of 4
points and recovery below 8.
"""

from __future__ import annotations

from mend.domain.measures.definitions import (
    Attribution, Band, CutOff, Instrument, Item, ReliableChange, SafetyItem,
)

FREQUENCY = ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"),
             (3, "Nearly every day"))

#: The notice the PHQ screeners carry, exactly as printed on them.
PHQ_NOTICE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)

IAPT = "The NHS Talking Therapies (IAPT) convention for this measure."


def _items(*wordings: str) -> tuple[Item, ...]:
    return tuple(Item(f"q{n}", wording, FREQUENCY) for n, wording in enumerate(wordings, 1))


PHQ9 = Instrument(
    key="phq9",
    version=1,
    title="PHQ-9",
    purpose="How often, over the last two weeks, low mood and its signs have bothered you.",
    instructions=("Over the last 2 weeks, how often have you been bothered by any of the "
                  "following problems?"),
    items=_items(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or "
        "your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    score_range=(0, 27),
    bands=(Band(0, "Minimal"), Band(5, "Mild"), Band(10, "Moderate"),
           Band(15, "Moderately severe"), Band(20, "Severe")),
    better="lower",
    cut_off=CutOff(10, "at_or_above", IAPT),
    reliable_change=ReliableChange(6, IAPT),
    # Any answer but "Not at all" to thoughts of death or self-harm needs a person, now.
    safety=(SafetyItem("q9", above=0),),
    attribution=Attribution(
        authors=("Kurt Kroenke", "Robert L. Spitzer", "Janet B.W. Williams"),
        year=2001,
        notice=PHQ_NOTICE,
        citation=("Kroenke, K., Spitzer, R. L., & Williams, J. B. W. (2001). The PHQ-9: "
                  "Validity of a brief depression severity measure. Journal of General "
                  "Internal Medicine, 16(9), 606–613."),
    ),
)

GAD7 = Instrument(
    key="gad7",
    version=1,
    title="GAD-7",
    purpose="How often, over the last two weeks, worry and anxiety have bothered you.",
    instructions=("Over the last 2 weeks, how often have you been bothered by the following "
                  "problems?"),
    items=_items(
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    score_range=(0, 21),
    bands=(Band(0, "Minimal"), Band(5, "Mild"), Band(10, "Moderate"), Band(15, "Severe")),
    better="lower",
    cut_off=CutOff(8, "at_or_above", IAPT),
    reliable_change=ReliableChange(4, IAPT),
    attribution=Attribution(
        authors=("Robert L. Spitzer", "Kurt Kroenke", "Janet B.W. Williams", "Bernd Löwe"),
        year=2006,
        notice=PHQ_NOTICE,
        citation=("Spitzer, R. L., Kroenke, K., Williams, J. B. W., & Löwe, B. (2006). A brief "
                  "measure for assessing generalized anxiety disorder: The GAD-7. Archives of "
                  "Internal Medicine, 166(10), 1092–1097."),
    ),
)
