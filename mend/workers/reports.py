"""Reports made by jobs: who may ask for which, the job that makes one, and who may read it.

A report is read from the reader as the person who asked for it, rebuilt from the run's
tenant and requester with the role they hold now, so a report shows nothing its requester
could not open on a page. Whoever downloads it is checked again, as themselves: a case report
goes to the staff who may read the case (never a client), an outcome report to supervisors
and owners, a caseload to the person whose caseload it is. Every report made and every
download is recorded on the tenant, for the audit feed, with its kind and case and no word of
what it holds.
"""

from __future__ import annotations

import logging
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.errors import (
    Forbidden,
    InvalidValue,
    MendError,
    NotAuthenticated,
    NotFound,
    RuleBroken,
)
from mend.workers.context import current
from mend.workers.queue import LONG_JOB_TIMEOUT, job
from mend.workers.runs import Run

log = logging.getLogger(__name__)

#: Why a report could not be made, in Mend's words: never the words of an error.
REFUSED = {
    NotFound: "The case is no longer one the person who asked may read.",
    Forbidden: "The role of the person who asked no longer allows this report.",
    NotAuthenticated: "The person who asked is no longer a member of the practice.",
}
BROKEN = ("Mend could not make this report. Ask for it again; if it fails again, tell the "
          "practice's owner.")


def require_maker(mend, actor: Actor, kind: str, case_id: UUID | None) -> None:
    """May this person have this report made: NotFound for a case they do not see,
    Forbidden for a report their role may not have."""
    if kind in v.CASE_REPORT_KINDS:
        mend.reader.case(actor, case_id)  # the reader says who may read the case...
        authz.require_staff(actor, "make case reports")  # ...and a report is for staff
    elif kind in ("report.outcomes", "csv.outcomes"):
        authz.require_overseer(actor, "make outcome reports")
    elif kind == "csv.caseload":
        authz.require_staff(actor, "download caseloads")
    else:
        raise InvalidValue("kind", f"must be one of {', '.join(v.REPORT_KINDS)}")


def ask(mend, actor: Actor, kind: str, case_id: UUID | None = None) -> str:
    """Record the request and queue its job; the run's id at once, whether or not Redis
    answers (a run left queued is queued again by the sweeper)."""
    require_maker(mend, actor, kind, case_id)
    run_id = mend.runs.start(tenant_id=actor.tenant_id, kind=kind,
                             requested_by=actor.account_id, subject_id=case_id)
    try:
        mend.jobs.enqueue(run_report, run_id, job_id=f"report-{run_id}",
                          timeout=LONG_JOB_TIMEOUT)
    except Exception as error:  # Redis away: the run is on record, the sweeper retries it
        log.warning("report %s is queued for the sweeper: %s", run_id, type(error).__name__)
    return run_id


def readable(mend, actor: Actor, run_id: UUID | str) -> Run:
    """The run, when this person may read its report; NotFound for anyone else, a client
    and another tenant included (a staff report is not theirs to know of)."""
    run = mend.runs.get(str(run_id), tenant_id=actor.tenant_id)
    if run is None or run.kind not in v.REPORT_KINDS:
        raise NotFound("No such report.")
    if run.kind == "csv.caseload" and run.requested_by != str(actor.account_id):
        raise NotFound("No such report.")
    try:
        require_maker(mend, actor, run.kind, _subject(run))
    except Forbidden:
        raise NotFound("No such report.") from None
    return run


def download(mend, actor: Actor, run_id: UUID | str) -> tuple[Run, bytes]:
    """The report's file for this person, once made; the download is recorded first."""
    run = readable(mend, actor, run_id)
    content = mend.runs.content(run.run_id, actor.tenant_id)
    if content is None:
        raise RuleBroken("This report is not ready yet.")
    mend.casework.record_report(actor, run.kind, UUID(run.run_id), _subject(run),
                                downloaded=True)
    return run, content


def _subject(run: Run) -> UUID | None:
    return UUID(run.subject_id) if run.subject_id else None


@job
def run_report(run_id: str) -> str:
    """Make one report: claim its run (a second run of the job finds it claimed and does
    nothing), make the file with progress as it goes, record it, store it."""
    from mend.platform.reports.making import make  # the documents: words, charts, templates

    mend = current()
    run = mend.runs.claim(run_id)
    if run is None:
        return "skipped: already made or being made"
    try:
        membership = mend.membership
        actor = membership.actor_for(UUID(run.requested_by),
                                     membership.tenant_slug(UUID(run.tenant_id)))
        made = make(mend, actor, run.kind, _subject(run),
                    lambda done, total: mend.runs.progress(run_id, done, total))
        mend.casework.record_report(actor, run.kind, UUID(run_id), _subject(run))
    except MendError as refused:
        reason = next((words for kind, words in REFUSED.items() if isinstance(refused, kind)),
                      BROKEN)
        mend.runs.fail(run_id, reason)
        return f"failed: {type(refused).__name__}"
    except Exception as error:  # its words may quote the case: only its kind is logged
        log.warning("report %s could not be made: %s", run_id, type(error).__name__)
        mend.runs.fail(run_id, BROKEN)
        return f"failed: {type(error).__name__}"
    mend.runs.finish(run_id, file_name=made.file_name, content_type=made.content_type,
                     content=made.content)
    return f"made {made.file_name}"
