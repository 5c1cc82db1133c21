"""Harbor's friendship case: a confidence shared and denied."""

from __future__ import annotations

from mend.domain import commands as c
from mend.demo.story import Reporter, Seeding, Story, check_ins, curve, readiness


def jess_and_amara(seeding: Seeding) -> Story:
    """A self-guided friendship case, still weighing rebuild against release; the check-ins
    stopped a month ago, so it needs a nudge (medium risk, overdue)."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    elena, jess, amara = a["elena"], a["jess"], a["amara"]
    s = Story(
        seeding.mend, elena, seeding.now, 66, kind="friendship", title="Jess & Amara",
        approach="self_guided", breach_category="dishonesty",
        breach_summary=(
            "Jess told a group chat about Amara's diagnosis, which Amara had shared in "
            "confidence, and denied it when Amara asked."
        ),
        cadence_days=14,
    )
    seeding.add_participants(s, elena, 0.02, [("jess", "friend"), ("amara", "friend")])
    s.at(0.2, c.AssessReadiness, elena, answers=readiness(
        "boundaries_set", "checkins_scheduled", "external_support", "tracking_progress",
        "monthly_review_of_intentions",
    ), note="Twenty years of friendship; Amara unsure she wants to rebuild at all.")
    s.at(0.3, c.SetBoundary, elena, key="health",
         text="Amara's health is hers to share; Jess does not mention it to anyone.")
    s.at(9.5, c.OfferApology, elena, from_id=ids["jess"], to_ids=[ids["amara"]], text=(
        "I shared something that was yours to tell and then lied about it to your face. "
        "I'm sorry. I've told the group I was wrong to post it."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(12.5, c.PracticeRitual, elena, ritual="letter",
         note="Jess wrote a letter; Amara read it twice before replying.")
    s.at(20.4, c.AdvanceStage, elena, stage="honest_conversations",
         reason="They are talking directly again.")
    s.at(21.5, c.MakeAgreement, elena,
         text="A walk together once a month to talk about how the friendship is going.")
    s.at(33.6, c.RecordSetback, elena, severity=1,
         description="Jess made a joke at a party that came close to the subject.")
    s.at(47.5, c.PracticeRitual, elena, ritual="sharing_fears",
         note="Amara: that she will always be the friend who is talked about.")
    s.notes(elena, [
        (0.4, "Friendship case, self-guided with fortnightly check-ins and occasional "
              "sessions. The lie bothered Amara more than the post."),
        (34.4, "The party joke. Jess apologized on the spot this time, which Amara noticed."),
        (60.4, "Amara is weighing release against repair; both are legitimate outcomes here."),
    ])
    s.journal(amara, [
        (5.0, "private", "Some friendships come back after a storm and some just fade. I "
                         "don't know which this is."),
        (48.0, "shared", "The walk helped. I'm not ready to call it fixed."),
    ])
    s.journal(jess, [(10.0, "shared", "I'm ashamed of the lie more than anything.")])
    check_ins(s, rng, [
        Reporter(amara, curve((0, 3.0), (33, 4.4), (36, 3.8), (66, 5.2)), tension=0.5),
        Reporter(jess, curve((0, 5.5), (66, 6.5)), tension=0.5),
    ], first_day=4, last_day=36, every=14)  # then they stop checking in: overdue
    return s
