"""What each route reads or changes, for the access log: one table, by method and endpoint.

A read of one case needs no entry: the reader tells the access trail of every case it lets
someone read (``Reader.witness``), with the kind of data it hands out. An entry names what a
route reads when the reader's kind is not the whole story (a page of the case, an export, a
report's file), what a list reads (a caseload, the audit feed), and which routes change a
privilege. A route in CHECKS_ONLY asks the reader only whether a case may be seen (a report's
progress, a pulse being answered) and hands nothing of it out.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request


@dataclass(frozen=True)
class Intent:
    kind: str
    action: str = "view"
    #: Written once the answer is known (a file's type tells "print" from "export"; a
    #: change's status tells whether it happened), rather than as the read is allowed.
    at_end: bool = False


#: Actions that do something rather than read: written once their answer says if it was done.
ACTS = ("change", "erase")


def _change(kind: str) -> Intent:
    return Intent(kind, "change", at_end=True)


def _erase(kind: str) -> Intent:
    return Intent(kind, "erase", at_end=True)


def _file(kind: str) -> Intent:
    return Intent(kind, "export", at_end=True)


INTENTS = {
    # ---------------------------------------------------------------- the API
    "GET cases.list_cases": Intent("caseload", "query"),
    "GET cases.get_case": Intent("case"),
    "GET cases.timeline": Intent("timeline"),
    "GET insights.metrics": Intent("metrics"),
    "GET insights.weekly": Intent("metrics"),
    "GET insights.progress": Intent("metrics"),
    "GET insights.standing": Intent("case"),
    "GET insights.caseload": Intent("caseload", "query"),
    "GET insights.outcomes": Intent("outcomes", "query"),
    "GET insights.audit": Intent("audit", "query"),
    "GET insights.access_log": Intent("access_log", "query"),
    "GET exports.export_case": Intent("export", "export"),
    "POST reports.case_report": Intent("report", "query"),
    "POST reports.tenant_report": Intent("report", "query"),
    "GET reports.report_file": _file("report"),
    "GET alerts.list_alerts": Intent("alerts", "query"),
    "GET access.Members": Intent("membership", "query"),
    "POST access.Members": _change("membership"),
    "POST access.change_role": _change("role"),
    "POST access.revoke_member": _change("membership"),
    "POST access.withdraw_invitation": _change("membership"),
    "POST access.issue_token": _change("token"),
    "POST access.accept_invitation": _change("membership"),
    "POST access.revoke_token": _change("token"),
    "POST cases.add_participant": _change("participants"),
    "POST cases.remove_participant": _change("participants"),
    "POST cases.assign_practitioner": _change("practitioners"),
    "POST cases.unassign_practitioner": _change("practitioners"),
    "POST cases.reassign_case": _change("practitioners"),
    "POST erasure.erase_case": _erase("case"),
    "POST erasure.erase_person": _erase("person"),
    # ---------------------------------------------------------------- the pages
    "GET caseload.dashboard": Intent("caseload", "query"),
    "GET case_pages.case_page": Intent("case"),
    "GET case_pages.program_board": Intent("case"),
    "GET portal.my_cases": Intent("caseload", "query"),
    "GET portal.case": Intent("case"),
    "GET portal.view_as": Intent("case"),
    "GET portal.my_data_download": Intent("export", "export"),
    "GET portal.my_data_file": _file("export"),
    "GET portal.who_opened": Intent("access_log"),
    "GET admin.members": Intent("membership", "query"),
    "GET admin.audit": Intent("audit", "query"),
    "GET admin.outcomes": Intent("outcomes", "query"),
    "GET admin.access": Intent("access_log", "query"),
    "GET admin.moving_file": _file("export"),
    "GET alert_pages.inbox_page": Intent("alerts", "query"),
    "GET report_pages.run_file": _file("report"),
    "POST report_pages.make_case_report": Intent("report", "query"),
    "POST report_pages.make_report": Intent("report", "query"),
    "POST admin.invite": _change("membership"),
    "POST admin.resend": _change("membership"),
    "POST admin.withdraw": _change("membership"),
    "POST admin.revoke": _change("membership"),
    "POST admin.change_role": _change("role"),
    "POST case_pages.invite_client": _change("membership"),
    "POST signing_in.accept_invitation": _change("membership"),
    "POST signing_in.tokens": _change("token"),
    "POST signing_in.revoke_token": _change("token"),
    "POST case_pages.erase_case": _erase("case"),
    "POST admin.erase_person": _erase("person"),
    "POST admin.approve_request": _erase("person"),
}

#: The case forms of the pages that change who is on a case, by command.
CASE_FORMS = {
    "AddParticipant": _change("participants"),
    "RemoveParticipant": _change("participants"),
    "AssignPractitioner": _change("practitioners"),
    "UnassignPractitioner": _change("practitioners"),
    "ReassignCase": _change("practitioners"),
}
FORM_ENDPOINTS = ("case_pages.record", "case_pages.record_about")

CHECKS_ONLY = frozenset({
    "GET reports.report_run", "GET report_pages.run_page", "GET portal.my_data_run",
    "POST portal.start_my_data", "POST portal.answer", "GET admin.moving_run",
})


def route_key() -> str:
    method = "GET" if request.method == "HEAD" else request.method
    return f"{method} {request.endpoint}"


def intent() -> Intent | None:
    """What the current request's route reads or changes, if the table says."""
    if request.endpoint in FORM_ENDPOINTS:
        return CASE_FORMS.get((request.view_args or {}).get("name", ""))
    return INTENTS.get(route_key())


def checks_only() -> bool:
    return route_key() in CHECKS_ONLY
