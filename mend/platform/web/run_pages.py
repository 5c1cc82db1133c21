"""The page of an export being made and the download of its file, shared by the workspace
and the portal: the page looks again every two seconds (a meta refresh, no script) while
the job waits or works, then offers the file, or says in words why there is none."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Response

from mend.domain.errors import NotFound
from mend.platform.auth import mend
from mend.platform.web.pages import render
from mend.workers.runs import Run

STATE_WORDS = {
    "queued": "Waiting its turn",
    "running": "Being made",
    "done": "Ready to download",
    "failed": "Could not be made",
}


def moment(us: int | None) -> datetime | None:
    return datetime.fromtimestamp(us / 1_000_000, timezone.utc) if us is not None else None


def run_page(run: Run, *, heading: str, back: tuple[str, str], download_url: str,
             again_url: str) -> Any:
    waiting = run.state in ("queued", "running")
    return render("web/run.html", run=run, heading=heading, back_url=back[0],
                  back_words=back[1], state_words=STATE_WORDS.get(run.state, run.state),
                  refresh=waiting, download_url=download_url if run.state == "done" else None,
                  again_url=again_url, asked_at=moment(run.created_us),
                  finished_at=moment(run.finished_us))


def run_file(run: Run) -> Response:
    """The run's file as an attachment; not found until it is made."""
    content = mend().runs.content(run.run_id, run.tenant_id)
    if content is None or not run.file_name:
        raise NotFound("This export has no file yet.")
    return Response(content, mimetype=run.content_type or "application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{run.file_name}"',
                             "Cache-Control": "no-store"})
