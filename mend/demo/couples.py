"""Harbor's couple cases: one reconciled, one released, one just begun."""

from __future__ import annotations

from mend.domain import commands as c
from mend.demo.story import (
    READY_ALL, Ref, Reporter, Seeding, Story, check_ins, curve, readiness,
)


def ana_and_leo(seeding: Seeding) -> Story:
    """Ten months of therapy-guided repair after an affair, closed reconciled."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    elena, ana, leo = a["elena"], a["ana"], a["leo"]
    s = Story(
        seeding.mend, elena, seeding.now, 318, kind="couple", title="Ana & Leo",
        approach="therapy_guided", breach_category="infidelity",
        breach_summary=(
            "Leo had a four-month affair with a colleague; Ana found hotel receipts and "
            "he confirmed it the same night. Both say they want to try."
        ),
        cadence_days=7,
    )
    seeding.add_participants(s, elena, 0.02, [("ana", "partner"), ("leo", "partner")])
    s.at(0.1, c.AssessReadiness, elena, answers=readiness(
        "boundaries_set", "checkins_scheduled", "external_support", "tracking_progress",
        "monthly_review_of_intentions", "prepared_for_setbacks", "committed_to_honesty",
    ), note="Both motivated; Ana not sure yet that honesty will hold.")
    contact = "Leo has no private contact with the colleague and tells Ana the same day "
    contact += "if she gets in touch."
    s.at(0.2, c.SetBoundary, elena, key="no_contact", text=contact)
    s.at(0.21, c.SetBoundary, elena, key="phones",
         text="No phones in the room during the evening check-in.")
    s.at(1.5, c.MakeAgreement, elena, text=(
        "Every evening at nine: ten minutes, phones in the hallway, one honest sentence "
        "each about the day and one about us."
    ))
    s.at(6.4, c.OfferApology, elena, from_id=ids["leo"], to_ids=[ids["ana"]],
         text="I'm sorry things got so bad between us that this happened.",
         names_harm=False, takes_responsibility=False, commits_to_change=True)
    s.at(14.3, c.AdvanceStage, elena, stage="honest_conversations",
         reason="The first shock has eased; both can stay in the room for a full session.")
    s.at(24.6, c.RecordSetback, elena, severity=2, description=(
        "Leo came home late without texting. Ana went through his phone; Leo said he "
        "felt policed and slept on the sofa."
    ))
    s.at(30.5, c.ReachMilestone, elena, title="A month of evening check-ins",
         note="Missed only two evenings in thirty.")
    s.at(34.4, c.OfferApology, elena, from_id=ids["leo"], to_ids=[ids["ana"]], text=(
        "I lied to you for four months and let you doubt yourself when you noticed. That "
        "was my choice, not the state of our marriage. I am ending the secrecy for good, "
        "starting with showing you my calendar every Sunday."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(34.5, c.OfferApology, elena, from_id=ids["ana"], to_ids=[ids["leo"]], text=(
        "I'm sorry I read your messages behind your back instead of asking you."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(40.5, c.MakeAgreement, elena,
         text="A shared calendar: every evening out, trip and late meeting goes in it.")
    for day in range(41, 300, 21):
        s.at(day + 0.4, c.PracticeRitual, elena, ritual="transparency_hour",
             note="Sunday transparency hour: calendar, messages, plans for the week.")
    for day in range(7, 300, 28):
        kept = rng.randint(5 if day > 60 else 4, 7)
        s.at(day + 0.42, c.PracticeRitual, elena, ritual="daily_checkin",
             note=f"Kept {kept} of the last 7 evening check-ins.")
    s.at(46.5, c.PracticeRitual, elena, ritual="sharing_fears",
         note="Ana: that she will never stop checking. "
              "Leo: that he will always be the villain.")
    s.at(52.0, c.RecordSetback, elena, severity=1,
         description="A four-day work trip; three check-ins missed and nobody called.")
    s.at(71.4, c.PracticeRitual, elena, ritual="letter",
         note="Leo wrote Ana a letter about the man he wants to be; read aloud in session.")
    s.at(90.4, c.AssessReadiness, elena, answers=READY_ALL,
         note="Every item now holds for both.")
    s.at(97.3, c.RecordBoundaryCrossed, elena, boundary_id=Ref("no_contact"),
         note="The colleague emailed; Leo answered before telling Ana, and told her the next "
              "morning.")
    s.at(97.4, c.RecordSetback, elena, severity=2,
         description="Old wound reopened by the colleague's email; two days of silence.")
    s.at(110.4, c.AdvanceStage, elena, stage="restoring",
         reason="Honest talk no longer ends in a fight; time to build new habits.")
    s.at(120.4, c.ReviseBoundary, elena, boundary_id=Ref("phones"),
         text="No phones during the evening check-in or at dinner.")
    s.at(121.5, c.ReachMilestone, elena, title="A full week without an argument")
    s.at(131.4, c.PracticeRitual, elena, ritual="positive_prediction",
         note="Ana predicted Leo would tell her about the team dinner before it "
              "happened. He did.")
    for day in (58, 88, 150, 182, 214, 246, 272):
        s.at(day + 0.6, c.PracticeRitual, elena, ritual="gratitude_note",
             note="Gratitude notes swapped for the week.")
    s.at(160.3, c.RecordSetback, elena, severity=1,
         description="The anniversary of the discovery: a hard weekend, talked through.")
    s.at(200.4, c.ReachMilestone, elena, title="Ana stopped checking Leo's phone",
         note="Her own decision, and she told him about it.")
    s.at(205.4, c.RetireBoundary, elena, boundary_id=Ref("no_contact"),
         note="The colleague left the company; contact is no longer possible.")
    s.at(240.4, c.AdvanceStage, elena, stage="moving_forward",
         reason="Working on keeping what they rebuilt: monthly reviews of their agreements.")
    s.at(241.4, c.MakeAgreement, elena, text=(
        "First Sunday of the month: review the agreements and say what each needs to change."
    ))
    s.at(300.4, c.ReachMilestone, elena, title="Ten months",
         note="Not the innocence of before; something both chose on purpose.")
    s.notes(elena, [
        (0.3, "Intake. Ana is in shock and swings between anger and numbness; Leo wants to "
              "'fix it fast'. Agreed to slow down: safety first, decisions later."),
        (6.4, "Leo's first apology leaned on the state of the marriage. Named that, gently; "
              "he heard it."),
        (13.4, "Evening check-ins are happening. Ana finds eye contact hard; that's fine."),
        (27.4, "Debriefed the late-night phone search. Both can see the pattern: silence, "
               "suspicion, search, shame."),
        (34.4, "Full apology today: specific, owned, with a concrete change. Ana cried, "
               "then said she believed about half of it. A good half."),
        (55.4, "Work trip setback. Planned ahead for the next one: a call at nine wherever "
               "he is."),
        (83.4, "Ratings still low but steadier. Introduced the shared journal their AI "
               "coach suggested, as a supplement between sessions."),
        (99.4, "The email. Leo's delay hurt more than the email itself; worked on telling "
               "first, explaining after."),
        (139.4, "Less policing, fewer slip-ups. They schedule the hard conversations now "
                "instead of ambushing each other."),
        (188.4, "Monthly sessions from here. Ana says she can breathe again most days."),
        (244.4, "Future-proofing: what would each do if they felt drawn to secrecy again?"),
        (296.4, "Preparing to close. Both rate the relationship more deliberate than before "
                "the affair."),
    ])
    s.journal(ana, [
        (2.9, "private", "I keep replaying the night I found the receipts. I don't know who "
                         "I am married to."),
        (25.0, "private", "I went through his phone and felt worse, not better."),
        (64.0, "shared", "Tonight's check-in was the first one where I didn't rehearse what "
                         "to say."),
        (168.9, "shared", "The anniversary was brutal, but you stayed and listened. "
                          "Thank you."),
        (232.8, "private", "Three weeks without checking anything. It's odd how quiet my "
                           "head is."),
    ])
    s.journal(leo, [
        (8.9, "private", "She doesn't believe my apologies. I'm not sure I would either."),
        (44.9, "shared", "I put everything in the calendar this week, even the dentist. It "
                         "feels silly and it helps."),
        (101.9, "shared", "I should have told you about the email that night. Next time I "
                          "will call before I reply."),
        (260.9, "shared", "We argued about money today and it was just an argument. It "
                          "didn't turn into the affair."),
    ])
    check_ins(s, rng, [
        # Slow at first, as the source material expects of therapy-guided repair: the
        # significant change (baseline + 2) comes after seven to eight months.
        Reporter(ana, curve((0, 2.0), (24, 2.3), (27, 1.5), (40, 2.6), (90, 3.2),
                              (97, 2.5), (115, 3.4), (160, 3.8), (163, 3.2), (200, 4.2),
                              (240, 5.6), (305, 8.0)),
                  notes=("Hard day at work, easier evening.", "He showed me the calendar "
                         "without being asked.", "I felt suspicious again tonight.",
                         "We laughed at dinner.")),
        Reporter(leo, curve((0, 3.6), (30, 3.3), (60, 3.8), (120, 4.0), (200, 4.4),
                              (240, 5.6), (305, 8.0)),
                  tension=0.9, notes=("Felt watched, said so calmly.", "Good talk tonight.",
                                      "Tired, but we kept the check-in.")),
    ], first_day=3, last_day=305, every=7)
    s.at(308.4, c.CloseCase, elena, outcome="reconciled", note=(
        "Ten months of steady work. Trust has come back through small, repeated acts of "
        "reliability; they keep the monthly review on their own."
    ))
    return s



def maya_and_chris(seeding: Seeding) -> Story:
    """Six months of defensiveness about devices after an online affair, closed released."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    david, maya, chris = a["david"], a["maya"], a["chris"]
    s = Story(
        seeding.mend, david, seeding.now, 236, kind="couple", title="Maya & Chris",
        approach="therapy_guided", breach_category="digital_secrecy",
        breach_summary=(
            "Maya found months of intimate messages between Chris and a woman he met in an "
            "online gaming community; he had a second account for it."
        ),
        cadence_days=7,
    )
    seeding.add_participants(s, david, 0.02, [("maya", "partner"), ("chris", "partner")])
    s.at(0.1, c.AssessReadiness, david, answers=readiness(
        "breach_accepted", "committed_to_honesty", "boundaries_set", "checkins_scheduled",
        "prepared_for_setbacks", "tracking_progress", "monthly_review_of_intentions",
    ), note="Chris calls it 'just chatting'; Maya wants full transparency now.")
    s.at(1.3, c.SetBoundary, david, key="devices", text=(
        "During recovery Chris shares his phone and computer passwords and Maya may ask to "
        "see any account."
    ))
    s.at(1.31, c.SetBoundary, david, key="no_contact",
         text="No contact with the woman from the gaming community, on any platform.")
    s.at(5.4, c.OfferApology, david, from_id=ids["chris"], to_ids=[ids["maya"]],
         text="I'm sorry you had to see those messages.",
         names_harm=False, takes_responsibility=False, commits_to_change=False)
    s.at(12.4, c.RaiseRedFlag, david, key="defensive", code="defensive_about_devices",
         note="Chris walked out when Maya asked to see his laptop in session.")
    s.at(18.5, c.RecordSetback, david, severity=2,
         description="Shouting match over a notification Chris swiped away.")
    s.at(20.5, c.PracticeRitual, david, ritual="transparency_hour",
         note="First transparency hour; Chris answered in single words.")
    s.at(21.4, c.AdvanceStage, david, stage="honest_conversations",
         reason="Trying to move into honest dialogue despite the defensiveness.")
    s.at(33.5, c.PracticeRitual, david, ritual="sharing_fears",
         note="Maya: being made a fool of twice. "
              "Chris: being watched for the rest of his life.")
    s.at(41.5, c.RecordSetback, david, severity=2,
         description="Maya found the chat history deleted the night before a session.")
    s.at(41.6, c.RaiseRedFlag, david, key="deleting", code="deleting_messages",
         note="Deleted history discovered by Maya.")
    s.at(48.5, c.PracticeRitual, david, ritual="transparency_hour",
         note="Cut short after twenty minutes.")
    s.at(50.4, c.MakeAgreement, david, text=(
        "A 'no secrets' pact: anything either of us would hide, we say out loud first."
    ))
    s.at(55.4, c.OfferApology, david, from_id=ids["chris"], to_ids=[ids["maya"]], text=(
        "I'm sorry I deleted the chats. I panicked, but I know it looked like more lying."
    ), names_harm=True, takes_responsibility=False, commits_to_change=True)
    s.at(68.4, c.ResolveRedFlag, david, flag_id=Ref("deleting"),
         note="No further deletions in a month of spot checks.")
    s.at(76.5, c.RecordBoundaryCrossed, david, boundary_id=Ref("devices"),
         note="Chris changed his phone password without telling Maya.")
    s.at(76.6, c.RecordSetback, david, severity=3,
         description="Sudden password change; Maya left for her sister's for three nights.")
    s.at(76.7, c.RaiseRedFlag, david, code="sudden_password_changes",
         note="Password changed without discussion, days after the pact.")
    s.at(95.5, c.RecordSetback, david, severity=1,
         description="Cancelled the transparency hour twice in a row.")
    s.at(104.4, c.RaiseRedFlag, david, code="escalating_conflict",
         note="Sessions turn into blame: Chris minimizes, Maya escalates.")
    s.at(118.4, c.AssessReadiness, david, answers=readiness(
        "breach_accepted", "committed_to_honesty", "prepared_for_setbacks",
        "monthly_review_of_intentions",
    ), note="Maya still engaged; Chris's commitment to honesty is in words only.")
    s.at(140.5, c.RecordSetback, david, severity=2,
         description="Chris said the affair 'wasn't real because it was online'.")
    s.at(158.5, c.RecordSetback, david, severity=3,
         description="Maya found a new account on the same platform.")
    s.at(159.4, c.RaiseRedFlag, david, code="secret_accounts",
         note="A second account again, opened last month.")
    s.notes(david, [
        (0.4, "Intake. Chris minimizes ('it was online, we never met'); Maya is furious and "
              "exhausted. Set up device transparency as a condition of the work."),
        (12.5, "Chris left the room when the laptop came up. Named defensiveness as the "
               "main obstacle."),
        (27.4, "Gave them the communication worksheets; Maya filled hers in, Chris forgot."),
        (43.4, "Deleted history. Maya: 'every time I start to trust, something disappears.'"),
        (62.4, "They are trying AI-coached prompts between sessions. Maya uses them daily, "
               "Chris twice."),
        (79.4, "The password change broke the pact within a month. Maya is considering "
               "whether to continue."),
        (106.4, "Blame spirals in every session. Worked on 'impact, not blame'; it held for "
                "ten minutes."),
        (132.4, "Maya asked what it would look like to stop. Talked about release as a "
                "decision, not a failure."),
        (160.4, "New secret account. Maya says she is done rebuilding and wants to heal on "
                "her own."),
        (175.4, "Final joint session. Both calm. Chris agreed to see an individual therapist "
                "about his patterns."),
    ])
    s.journal(maya, [
        (3.0, "private", "I'm the only one who seems to think this is serious."),
        (42.0, "private", "He deleted everything the night before our session. I feel stupid "
                          "for hoping."),
        (80.0, "shared", "I need you to understand that the password change felt like the "
                         "affair all over again."),
        (162.0, "private", "I think I'm done. Not angry any more, just done."),
    ])
    s.journal(chris, [
        (13.0, "private", "Feels like I'm on trial every time we talk."),
        (52.0, "shared", "I signed the pact. I want it to work, I just hate being checked."),
    ])
    chris_skips = curve((0, 0.1), (60, 0.25), (120, 0.45), (180, 0.55))
    check_ins(s, rng, [
        Reporter(maya, curve((0, 3.0), (35, 3.6), (41, 2.4), (70, 3.4), (77, 1.8),
                               (120, 2.6), (158, 1.5), (180, 1.8)),
                  tension=1.3, notes=("Another argument about the phone.",
                                      "He was kind tonight. I don't trust it.",
                                      "I'm tired of being the detective.")),
        Reporter(chris, curve((0, 5.0), (60, 4.5), (120, 3.8), (180, 3.5)),
                  skip=chris_skips, safety_offset=-1.0, tension=1.2,
                  notes=("Felt interrogated.", "Okay week.", "Don't see the point of these.")),
    ], first_day=2, last_day=180, every=7)
    s.at(184.4, c.CloseCase, david, outcome="released", note=(
        "After six months Maya chose not to rebuild and moves to individual work; Chris "
        "referred on for individual therapy. Device defensiveness never eased."
    ))
    return s



def priya_and_sam(seeding: Seeding) -> Story:
    """A fresh AI-assisted intake about hidden debt, still in the aftermath."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    david, priya, sam = a["david"], a["priya"], a["sam"]
    s = Story(
        seeding.mend, david, seeding.now, 16, kind="couple", title="Priya & Sam",
        approach="ai_assisted", breach_category="dishonesty",
        breach_summary=(
            "Sam hid about eighteen thousand in credit-card debt for two years and told "
            "Priya the house deposit was growing."
        ),
        cadence_days=7,
    )
    seeding.add_participants(s, david, 0.02, [("priya", "partner"), ("sam", "partner")])
    s.at(0.2, c.AssessReadiness, david, answers=readiness(
        "boundaries_set", "checkins_scheduled", "tracking_progress",
        "monthly_review_of_intentions", "prepared_for_setbacks",
    ), note="Both want to continue; they will use the AI coach daily and see me monthly.")
    s.at(0.3, c.SetBoundary, david, key="statements",
         text="All statements for every account are open to both of us.")
    s.at(2.5, c.OfferApology, david, from_id=ids["sam"], to_ids=[ids["priya"]], text=(
        "I lied about our money for two years and made you plan a future on numbers I knew "
        "were false. I'm sorry. I've booked a debt adviser and you'll see every letter."
    ), names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.at(5.4, c.MakeAgreement, david,
         text="A money meeting every Friday evening with both banking apps open.")
    s.at(11.5, c.PracticeRitual, david, ritual="transparency_hour",
         note="First Friday money meeting.")
    s.at(13.9, c.RecordBoundaryCrossed, david, boundary_id=Ref("statements"),
         note="A new store card arrived by post; Sam had opened it last month and said nothing.")
    s.at(14.3, c.RaiseRedFlag, david, code="others_fear_for_safety", note=(
        "Priya said she felt frightened when Sam shouted and threw the letter across the "
        "kitchen. Safety plan discussed with Priya alone; individual sessions first."))
    s.notes(david, [
        (0.4, "Intake. Priya is more hurt by the lying than the debt. Sam is ashamed and "
              "over-apologizes; both prefer app-led daily work."),
    ])
    s.journal(priya, [(4.0, "private", "I keep doing sums in my head at night.")])
    check_ins(s, rng, [
        Reporter(priya, curve((0, 2.5), (16, 3.2))),
        Reporter(sam, curve((0, 4.0), (16, 4.3)), safety_offset=-0.5),
    ], first_day=1, last_day=15, every=7)
    return s
