"""Northwind's workplace case: a staff data exposure and the programme that follows it."""

from __future__ import annotations

from datetime import timedelta

from mend.domain import commands as c
from mend.demo.story import Reporter, Seeding, Story, check_ins, curve, rating


def northwind(seeding: Seeding) -> Story:
    """Four months of a self-guided programme: steps, forums, an audit and trust pulses."""
    a, ids, rng = seeding.actors, seeding.ids, seeding.rng
    sofia, karen, omar = a["sofia"], a["karen"], a["omar@northwind"]
    tariq, lena = a["tariq"], a["lena"]
    s = Story(
        seeding.mend, sofia, seeding.now, 120, kind="workplace", title="Depot staff data exposure",
        approach="self_guided", breach_category="data_breach",
        breach_summary=(
            "Home addresses and bank details of 340 depot staff were exposed through a "
            "misconfigured payroll export; leadership knew for three weeks before telling "
            "staff."
        ),
        cadence_days=14,
    )
    s.at(0.5, c.AssignPractitioner, karen, account_id=ids["omar"])
    seeding.add_participants(s, sofia, 0.6, [
        ("tariq", "staff representative, warehouse"),
        ("lena", "staff representative, dispatch"),
    ])
    s.at(1.4, c.SetBoundary, sofia,
         text="No one is disciplined or sidelined for what they say in a forum or pulse.")
    steps = [
        (2.3, "public_acknowledgment", "All-hands message from the CEO: what happened, the "
                                       "three-week delay, and that it was wrong."),
        (9.4, "transparent_facts", "Published the timeline, the data involved and who "
                                   "knew what when."),
        (23.4, "accountability", "The director who delayed disclosure left the security "
                                 "committee; paid credit monitoring for every affected "
                                 "employee."),
        (30.4, "open_forums", "Forums at all four depots, questions collected anonymously "
                              "beforehand."),
        (62.4, "external_audit", "External audit of payroll and HR data handling "
                                 "completed; report shared in full."),
        (90.4, "ongoing_updates", "Fortnightly update on the audit's twelve actions; nine "
                                  "done."),
    ]
    for day, step, note in steps:
        s.at(day, c.CompleteProgramStep, sofia, step=step, note=note)
    s.at(9.5, c.AdvanceStage, sofia, stage="honest_conversations",
         reason="Facts are out; the forums come next.")
    s.at(30.6, c.MakeAgreement, sofia, text=(
        "Any security incident that touches staff data is told to all staff within 72 "
        "hours, even before every fact is known."
    ))
    s.at(48.5, c.RecordSetback, sofia, severity=2,
         description="A shift manager at one depot dismissed questions at the forum; "
                     "it spread on the staff group chat.")
    s.at(62.5, c.AdvanceStage, omar, stage="restoring",
         reason="Audit published; moving to visible, repeated follow-through.")
    s.at(91.5, c.ReachMilestone, sofia, title="More than half the depot answered the pulse")
    pulses = [(14, 3, 3.0), (35, 11, 4.0), (63, 14, 4.9), (91, 16, 5.6), (112, 18, 6.2)]
    for day, responses, mean in pulses:
        scores = [rating(mean + rng.gauss(0, 1.4)) for _ in range(responses)]
        s.at(day + 0.6, c.RecordTrustPulse, sofia, scores=scores)
    s.notes(omar, [
        (3.4, "Facilitator's note: anger is mostly about the delay, not the leak. The "
              "acknowledgment landed better than leadership feared."),
        (31.4, "Forums: hardest questions were about who knew. Answer them plainly or the "
               "programme stalls."),
        (64.4, "After the audit the representatives began raising ideas, not just "
               "complaints."),
    ])
    s.notes(sofia, [
        (15.4, "Only three pulse responses; people fear answers are traceable. Explained "
               "the five-response threshold at every depot."),
        (49.4, "Met the shift manager after the forum; coaching agreed; reps informed."),
        (92.4, "Participation up, scores up. Renewal event being planned with the reps."),
    ])
    # A pulse the staff answer themselves, still open: three of five have answered, so
    # nobody, HR included, sees more than that count yet.
    seeding.add_participants(s, sofia, 96.5, [
        ("marek", "loader, north depot"), ("joy", "driver"), ("ines", "payroll clerk")])
    s.at(117.5, c.OpenPulse, sofia, key="live_pulse",
         question="How much do you trust Northwind to tell you about the next incident?",
         closes_at=seeding.now + timedelta(days=4))

    def answer(story: Story) -> None:
        for key, score in (("tariq", 6), ("lena", 5), ("marek", 7)):
            seeding.mend.casework.answer_pulse(a[key], story.case_id,
                                               story.results["live_pulse"], score)

    s.afterwards.append(answer)
    s.journal(lena, [
        (16.0, "private", "I'm still not sure anyone upstairs would have told us if the "
                          "bank hadn't called."),
        (93.0, "shared", "The audit updates are the first thing in years that arrive on "
                         "time."),
    ])
    s.journal(tariq, [(50.0, "shared", "The forum at our depot went badly. The follow-up "
                                       "was quick, which counted.")])
    check_ins(s, rng, [
        Reporter(tariq, curve((0, 2.5), (45, 4.0), (50, 3.4), (120, 6.0)), tension=0.6),
        Reporter(lena, curve((0, 2.0), (60, 3.8), (120, 5.6)), tension=0.6),
    ], first_day=3, last_day=119, every=14)
    return s
