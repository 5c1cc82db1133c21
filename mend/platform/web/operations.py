"""The owners' operations page: the job queue (waiting, running, failed, workers) and the
practice's outbox of messages, in words. Only owners see it (the Operations service says so),
and it renders whether Redis answers, is away, or was never configured.
"""

from __future__ import annotations

from mend.domain import vocabulary as v
from mend.domain.tenancy import Tenant
from mend.platform.auth import mend
from mend.platform.web import words
from mend.platform.web.admin import bp
from mend.platform.web.alerts import SAYS
from mend.platform.web.pages import actor, render, staff_only
from mend.workers.operations import Operations
from mend.workers.queue_status import COUNTED

#: What each count of the queue means, as the page labels it.
QUEUE_WORDS = {
    "queued": "Waiting to run", "started": "Running now", "failed": "Failed",
    "scheduled": "Scheduled for later", "deferred": "Waiting for another job",
    "finished": "Finished (kept a day)",
}
OUTBOX_WORDS = {"queued": "Waiting to be sent", "sending": "Being sent", "sent": "Sent",
                "failed": "Could not be sent"}


def message_kind(kind: str) -> str:
    """"alert.safety_flag" as "Alert: a safety concern was raised"; a reminder as such."""
    family, _, detail = kind.partition(".")
    if family == "alert" and detail in SAYS:
        return f"Alert: {SAYS[detail][0].lower()}{SAYS[detail][1:]}"
    if family == "reminder":
        return "Check-in reminder"
    return words.word(kind.replace(".", "_"))


@bp.route("/admin/operations")
@staff_only
def operations():
    view = Operations(mend().jobs, mend().ledger).for_owner(actor())
    return render("web/operations.html", view=view, queue=view.queue,
                  queue_counts=[(QUEUE_WORDS[k], view.queue.counts.get(k, 0)) for k in COUNTED],
                  outbox_counts=[(OUTBOX_WORDS[k], n) for k, n in view.outbox.items()],
                  messages=[(m, message_kind(m.kind), OUTBOX_WORDS.get(m.state, m.state))
                            for m in view.messages],
                  retention_years=mend().store.get(actor().tenant_id, Tenant).retention_years,
                  max_retention=v.MAX_RETENTION_YEARS)
