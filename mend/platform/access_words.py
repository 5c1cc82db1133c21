"""The access log in plain words: "Dr Elena Park viewed the timeline of Ana & Leo".

Only wording lives here; what is logged, and who may read it, is decided elsewhere. Each
(kind, action) has a past tense for what happened and an infinitive for what was tried and
refused; ``{case}`` is the case's title as it is now, ``{subject}`` the person a change was
about.
"""

from __future__ import annotations

from mend.workers.access_report import AccessLine

PHRASES: dict[tuple[str, str], tuple[str, str]] = {
    ("case", "view"): ("viewed {case}", "view {case}"),
    ("timeline", "view"): ("viewed the timeline of {case}", "view the timeline of {case}"),
    ("metrics", "view"): ("viewed the figures of {case}", "view the figures of {case}"),
    ("export", "export"): ("exported the record of {case}", "export the record of {case}"),
    ("report", "export"): ("downloaded a report of {case}", "download a report of {case}"),
    ("report", "print"): ("opened a printable report of {case}",
                          "open a printable report of {case}"),
    ("report", "query"): ("asked for a report of {case}", "ask for a report of {case}"),
    ("access_log", "view"): ("read who on staff opened {case}",
                             "read who on staff opened {case}"),
    ("participants", "change"): ("changed who takes part in {case}{about}",
                                 "change who takes part in {case}{about}"),
    ("practitioners", "change"): ("changed who works on {case}{about}",
                                  "change who works on {case}{about}"),
    ("case", "erase"): ("erased {case}", "erase {case}"),
}
#: What the same kinds read as when they are about no case.
WITHOUT_CASE: dict[tuple[str, str], tuple[str, str]] = {
    ("export", "export"): ("exported the practice's whole history",
                           "export the practice's whole history"),
    ("report", "export"): ("downloaded a report", "download a report"),
    ("report", "print"): ("opened a printable report", "open a printable report"),
    ("report", "query"): ("asked for a report", "ask for a report"),
    ("caseload", "query"): ("listed cases", "list cases"),
    ("outcomes", "query"): ("read the outcome analytics", "read the outcome analytics"),
    ("audit", "query"): ("read the audit feed", "read the audit feed"),
    ("alerts", "query"): ("read the alerts", "read the alerts"),
    ("access_log", "query"): ("read the access log", "read the access log"),
    ("membership", "query"): ("listed the members", "list the members"),
    ("membership", "change"): ("changed the practice's members{about}",
                               "change the practice's members{about}"),
    ("role", "change"): ("changed the role of {subject}", "change the role of {subject}"),
    ("token", "change"): ("changed their API tokens", "change their API tokens"),
    ("person", "erase"): ("erased the data of {subject}", "erase the data of {subject}"),
}
OUTCOME_WORDS = {"allowed": "Allowed", "denied": "Refused", "not_found": "Not found",
                 "refused": "Not done", "failed": "Failed"}
ACTION_WORDS = {"view": "View", "query": "List or search", "export": "Export",
                "print": "Print", "change": "Change", "erase": "Erase"}
KIND_WORDS = {
    "case": "A case", "timeline": "A case's timeline", "metrics": "A case's figures",
    "export": "An export", "report": "A report", "caseload": "Caseloads",
    "outcomes": "Outcome analytics", "audit": "The audit feed", "alerts": "Alerts",
    "access_log": "The access log", "membership": "Members", "role": "Roles",
    "participants": "Who takes part in a case", "practitioners": "Who works on a case",
    "token": "API tokens", "person": "A person's data",
}
#: What a client reads of a staff member's read of their case.
PORTAL_PHRASES = {
    "case": "opened your case", "timeline": "read your timeline",
    "metrics": "looked at your figures", "export": "exported your case's record",
    "report": "downloaded a report of your case",
}


#: The kinds of data that are always about one case, even when none is named (not found).
CASE_KINDS = ("case", "timeline", "metrics")


def _case_label(line: AccessLine) -> str:
    if line.case_title:
        return line.case_title
    return "a case" if line.case_id else "a case that is not in this practice"


def sentence(line: AccessLine) -> str:
    """The whole entry in words, with the person's name first."""
    key = (line.kind, line.action)
    about_a_case = line.case_id or line.kind in CASE_KINDS
    past, infinitive = (PHRASES.get(key) if about_a_case else None) or WITHOUT_CASE.get(
        key, (f"{line.action} {line.kind.replace('_', ' ')}",) * 2)
    fill = {"case": _case_label(line), "subject": line.subject_name or "someone",
            "about": f": {line.subject_name}" if line.subject_name else ""}
    who = line.actor_name or "Someone no longer named"
    if line.outcome == "allowed":
        return f"{who} {past.format(**fill)}"
    if line.outcome == "not_found":
        return f"{who} tried to {infinitive.format(**fill)}: not found"
    ending = {"denied": "and was refused", "refused": "but it was not done",
              "failed": "but it failed"}.get(line.outcome, f"({line.outcome})")
    return f"{who} tried to {infinitive.format(**fill)} {ending}"


def portal_sentence(line: AccessLine) -> str:
    """A staff member's read as the client is told of it."""
    phrase = PORTAL_PHRASES.get(line.kind, "opened your case")
    if line.kind == "report" and line.action == "print":
        phrase = "opened a printable report of your case"
    return f"{line.actor_name or 'Someone no longer on the staff'} {phrase}"
