"""The Couples Satisfaction Index, 16- and 4-item forms (Funk & Rogge, 2007).

Items, options and points are those of the authors' forms, which the authors describe as
freely available for research and clinical use. Higher totals mean more satisfaction. The
authors' cut-offs: CSI-16 totals below 51.5 and CSI-4 totals below 13.5 suggest notable
relationship dissatisfaction; leaving that range is the recovery criterion here.

Each item carries its own options. Some are printed from the most to the least satisfied
answer (item 2, and four of the six word pairs that end the CSI-16); their points are written
on the options as the authors' key gives them, so no item is marked reverse-keyed.

Reliable change: none is shipped, on purpose. The Jacobson–Truax threshold is
RC = 1.96 × SD × √2 × √(1 − α), which needs two figures from the development sample of
Funk & Rogge (2007, Journal of Family Psychology 21(4), 572–583; 5,315 online participants):
the standard deviation (SD) of CSI-16 (or CSI-4) totals, and Cronbach's α of that form.

- SD of CSI-16 totals: not found. No copy of the paper's results or of the authors'
  scoring notes that could be reached gives it.
- SD of CSI-4 totals: not found, for the same reason.
- Cronbach's α of either form: not confirmed from a source that could be read in full, so
  it is not relied on either.

With no sourced SD there is no arithmetic to show, and Mend does not guess one: the
definitions below carry ``ReliableChange(points=None)``, and asking whether a CSI change is
reliable raises ``ThresholdUnknown`` instead of answering. A practice that has the figures
adds them as data, in a new version (so no earlier administration changes meaning)::

    figures = ReliabilityFigures(sd=..., reliability=..., source="Funk & Rogge 2007, Table ...")
    CSI16_V2 = replace(CSI16, version=2, reliable_change=ReliableChange.from_figures(
        figures, basis="Jacobson–Truax from the development sample"))

``from_figures`` computes 1.96 × SD × √2 × √(1 − α) and rounds it up to a whole point,
and the definition refuses a shipped number that does not follow from its figures.
"""

from __future__ import annotations

from mend.domain.measures.definitions import (
    Attribution, Band, CutOff, Instrument, Item, ReliableChange,
)

HAPPINESS = ((0, "Extremely Unhappy"), (1, "Fairly Unhappy"), (2, "A Little Unhappy"),
             (3, "Happy"), (4, "Very Happy"), (5, "Extremely Happy"), (6, "Perfect"))
HOW_OFTEN = ((5, "All the time"), (4, "Most of the time"), (3, "More often than not"),
             (2, "Occasionally"), (1, "Rarely"), (0, "Never"))
TRUE = ((0, "Not at all TRUE"), (1, "A little TRUE"), (2, "Somewhat TRUE"), (3, "Mostly TRUE"),
        (4, "Almost Completely TRUE"), (5, "Completely TRUE"))
EXTENT = ((0, "Not at all"), (1, "A little"), (2, "Somewhat"), (3, "Mostly"),
          (4, "Almost Completely"), (5, "Completely"))

#: The line the CSI-16 form prints before its six word pairs.
WORD_PAIRS = ("For each of the following items, select the answer that best describes how you "
              "feel about your relationship. Base your responses on your first impressions and "
              "immediate feelings about the item.")

#: Mend's own opening line: the authors' items carry their own questions.
INSTRUCTIONS = "Please answer each question about your relationship with your partner."

CITATION = ("Funk, J. L., & Rogge, R. D. (2007). Testing the ruler with item response theory: "
            "Increasing precision of measurement for relationship satisfaction with the "
            "Couples Satisfaction Index. Journal of Family Psychology, 21(4), 572–583.")
#: No notice worded by the authors themselves was found, so the notice is the citation and
#: the terms as they state them; replace it with theirs, word for word, once it is to hand.
NOTICE = CITATION + " Described by its authors as freely available for research and clinical use."
ATTRIBUTION = Attribution(("Janette L. Funk", "Ronald D. Rogge"), 2007, NOTICE, CITATION)

NO_THRESHOLD = ReliableChange(
    None, "Not shipped: the development sample's SD and α were not found in a source.")


def word_pair(key: str, left: str, right: str, left_points: int, lead_in: str = "") -> Item:
    """A word pair with six unlabelled positions between its words, left to right as
    printed; ``left_points`` is what the leftmost position scores (5 or 0)."""
    points = range(5, -1, -1) if left_points == 5 else range(6)
    labels = [str(p) for p in points]
    labels[0], labels[-1] = f"{labels[0]} ({left})", f"{labels[-1]} ({right})"
    return Item(key, f"{left} … {right}", tuple(zip(points, labels)), lead_in=lead_in)


HAPPY = "Please indicate the degree of happiness, all things considered, of your relationship."
WARM = "I have a warm and comfortable relationship with my partner"
REWARDING = "How rewarding is your relationship with your partner?"
SATISFIED = "In general, how satisfied are you with your relationship?"

CSI16 = Instrument(
    key="csi16",
    version=1,
    title="Couples Satisfaction Index (CSI-16)",
    purpose="How satisfied you are with your relationship with your partner.",
    instructions=INSTRUCTIONS,
    items=(
        Item("q1", HAPPY, HAPPINESS),
        Item("q2", "In general, how often do you think that things between you and your "
                   "partner are going well?", HOW_OFTEN),
        Item("q3", "Our relationship is strong", TRUE),
        Item("q4", "My relationship with my partner makes me happy", TRUE),
        Item("q5", WARM, TRUE),
        Item("q6", "I really feel like part of a team with my partner", TRUE),
        Item("q7", REWARDING, EXTENT),
        Item("q8", "How well does your partner meet your needs?", EXTENT),
        Item("q9", "To what extent has your relationship met your original expectations?", EXTENT),
        Item("q10", SATISFIED, EXTENT),
        word_pair("q11", "INTERESTING", "BORING", 5, lead_in=WORD_PAIRS),
        word_pair("q12", "BAD", "GOOD", 0),
        word_pair("q13", "FULL", "EMPTY", 5),
        word_pair("q14", "STURDY", "FRAGILE", 5),
        word_pair("q15", "DISCOURAGING", "HOPEFUL", 0),
        word_pair("q16", "ENJOYABLE", "MISERABLE", 5),
    ),
    score_range=(0, 81),
    bands=(Band(0, "Notable relationship dissatisfaction"),
           Band(52, "No notable relationship dissatisfaction")),
    better="higher",
    cut_off=CutOff(51.5, "below", "Funk & Rogge (2007)"),
    reliable_change=NO_THRESHOLD,
    attribution=ATTRIBUTION,
)

CSI4 = Instrument(
    key="csi4",
    version=1,
    title="Couples Satisfaction Index (CSI-4)",
    purpose="A four-question check on how satisfied you are with your relationship.",
    instructions=INSTRUCTIONS,
    items=(
        Item("q1", HAPPY, HAPPINESS),
        Item("q2", WARM, TRUE),
        Item("q3", REWARDING, EXTENT),
        Item("q4", SATISFIED, EXTENT),
    ),
    score_range=(0, 21),
    bands=(Band(0, "Notable relationship dissatisfaction"),
           Band(14, "No notable relationship dissatisfaction")),
    better="higher",
    cut_off=CutOff(13.5, "below", "Funk & Rogge (2007)"),
    reliable_change=NO_THRESHOLD,
    attribution=ATTRIBUTION,
)
