"""Harbor's family case: a father's broken promises, and the rituals that rebuild."""

from __future__ import annotations

from mend.domain import commands as c
from mend.demo.story import Ref, Reporter, Seeding, Story, check_ins, curve, readiness


def okafor_family(seeding: Seeding) -> Story:
    """About a hundred days of Sunday dinners and regret circles, now restoring."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    omar, david = a["omar"], a["david"]
    grace, samuel, nia = a["grace"], a["samuel"], a["nia"]
    s = Story(
        seeding.mend, omar, seeding.now, 101, kind="family", title="The Okafor family",
        approach="therapy_guided", breach_category="broken_promise",
        breach_summary=(
            "Years of work before family, and promises Samuel did not keep; he missed Nia's "
            "graduation after promising to be there. Nia stopped speaking to him."
        ),
        cadence_days=7,
    )
    s.at(0.05, c.AssignPractitioner, omar, account_id=ids["david"])
    seeding.add_participants(s, omar, 0.06, [("grace", "mother"), ("samuel", "father"),
                                             ("nia", "daughter, 20")])
    s.at(0.3, c.AssessReadiness, david, answers=readiness(
        "checkins_scheduled", "boundaries_set", "tracking_progress",
        "monthly_review_of_intentions",
    ), note="Nia came for her mother's sake; willing to listen, not yet to forgive.")
    s.at(3.4, c.PracticeRitual, david, ritual="joint_session",
         note="First joint session; ground rules: no interrupting, phones off.")
    s.at(3.5, c.SetBoundary, david, key="sunday",
         text="Sunday dinner at seven, at home, and no work calls during it.")
    s.at(3.51, c.SetBoundary, david,
         text="Samuel makes only promises he can keep; otherwise he says 'I will try'.")
    s.at(8.4, c.MakeAgreement, david, text=(
        "A paper family calendar in the kitchen: every promise made to anyone goes on it."
    ))
    s.at(14.4, c.AdvanceStage, david, stage="honest_conversations",
         reason="Everyone has said their piece once without leaving the room.")
    for i, day in enumerate(range(6, 101, 7)):
        if day == 55:  # the missed dinner
            continue
        leader = ("Grace", "Nia", "Samuel")[i % 3]
        s.at(day + 0.45, c.PracticeRitual, david, ritual="family_dinner",
             note=f"Sunday dinner; {leader} chose the menu.")
    for day in (20, 48, 76):
        s.at(day + 0.5, c.PracticeRitual, david, ritual="regret_circle",
             note="Each named one regret and one apology.")
    s.at(20.55, c.OfferApology, david, from_id=ids["samuel"], to_ids=[ids["nia"]], text=(
        "I told you I would be there and I chose a client instead. I have done that your "
        "whole life. I'm sorry, and I am not asking you to trust me yet."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(20.6, c.OfferApology, david, from_id=ids["samuel"], to_ids=[ids["grace"]], text=(
        "I left you to carry the family and to make my excuses for me. I'm sorry."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(30.5, c.ReachMilestone, david, title="Four Sunday dinners in a row")
    s.at(35.5, c.PracticeRitual, david, ritual="storytelling_night",
         note="Grace told the story of the year the business nearly failed.")
    s.at(41.5, c.PracticeRitual, david, ritual="intergenerational_journal",
         note="Started a notebook passed between the three of them each week.")
    s.at(45.4, c.AdvanceStage, david, stage="restoring",
         reason="Apologies given and heard; now the work of new habits.")
    s.at(48.55, c.OfferApology, david, from_id=ids["nia"], to_ids=[ids["samuel"]], text=(
        "I said I didn't have a father. That was cruel and I'm sorry I said it."
    ), names_harm=True, takes_responsibility=True, commits_to_change=False)
    s.at(55.45, c.RecordBoundaryCrossed, david, boundary_id=Ref("sunday"),
         note="Samuel took a client call and missed dinner.")
    s.at(55.5, c.RecordSetback, david, severity=2,
         description="Missed Sunday dinner for a client call; Nia left the notebook unsigned.")
    s.at(56.5, c.PracticeRitual, david, ritual="gratitude_leader",
         note="Grace led gratitude: everyone named one thing another did well this week.")
    s.at(63.5, c.PracticeRitual, david, ritual="storytelling_night",
         note="Samuel told how his own father was never home. Nia listened to the end.")
    s.at(70.5, c.PracticeRitual, david, ritual="digital_detox",
         note="A weekend with phones in a drawer; walked the coast path together.")
    s.at(84.5, c.PracticeRitual, david, ritual="gratitude_leader",
         note="Nia led gratitude for the first time.")
    s.at(90.5, c.ReachMilestone, david, title="Nia invited her father to her exhibition",
         note="He went, and stayed to the end.")
    s.notes(david, [
        (0.4, "Referral from Dr. Haddad. Family of three; the daughter is the one most hurt "
              "and least willing. Start with structure, not forgiveness."),
        (14.5, "Samuel defends before he listens. Used the 'impact, not blame' frame with "
               "everyone."),
        (21.4, "Regret circle went further than expected; Samuel's apology to Nia was "
               "specific and she acknowledged it."),
        (49.4, "Nia apologized too. Grace visibly relieved; watch that she stops mediating."),
        (57.4, "Missed dinner. Samuel came to session without being asked; named it himself."),
        (77.4, "Third regret circle. The family runs it without me now."),
        (92.4, "Exhibition. Nia's trust ratings moving; plan monthly sessions from here."),
    ])
    s.journal(nia, [
        (2.0, "private", "Mum asked me to come. I'm here for her, not for him."),
        (21.0, "private", "He actually said it. I didn't expect to cry."),
        (56.0, "private", "Of course he missed it. Part of me was waiting for it."),
        (91.0, "shared", "Thank you for staying until the end of the exhibition, Dad."),
    ])
    s.journal(samuel, [
        (22.0, "shared", "Writing down promises is humbling. There were more than I knew."),
        (57.0, "shared", "I missed dinner. No excuse; I'll be there next Sunday."),
    ])
    s.journal(grace, [
        (10.0, "shared", "First week in a long time the three of us ate together twice."),
        (65.0, "private", "I have to stop translating between them."),
    ])
    check_ins(s, rng, [
        Reporter(grace, curve((0, 4.0), (50, 5.5), (100, 7.0))),
        Reporter(samuel, curve((0, 5.5), (55, 6.2), (58, 5.4), (100, 7.2)),
                  tension=0.8),
        Reporter(nia, curve((0, 1.8), (20, 2.3), (30, 3.5), (55, 4.4), (58, 3.2),
                              (90, 5.5), (100, 6.0)),
                  skip=lambda day: 0.2 if day < 30 else 0.08, safety_offset=0.8,
                  notes=("Didn't feel like talking.", "Dinner was fine, actually.",
                         "He remembered what I said last week.")),
    ], first_day=2, last_day=100, every=7)
    return s
