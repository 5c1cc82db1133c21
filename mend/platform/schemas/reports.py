"""Reports made as jobs: what to ask for, and a run's state as the API answers it."""

from __future__ import annotations

from marshmallow import fields as f

from mend.domain import vocabulary as v
from mend.platform.schemas.base import Schema, one_of

__all__ = ["CaseReportRequestSchema", "ReportRequestSchema", "RunSchema"]


class CaseReportRequestSchema(Schema):
    kind = f.String(required=True, validate=one_of(v.CASE_REPORT_KINDS), metadata={
        "description": "report.case_pdf (a PDF) or report.case_html (a printable page)"})


class ReportRequestSchema(Schema):
    kind = f.String(required=True, validate=one_of(v.TENANT_REPORT_KINDS), metadata={
        "description": "report.outcomes (a PDF) or csv.outcomes (supervisors and owners); "
                       "csv.caseload (the caller's caseload, as the dashboard shows it)"})


class RunSchema(Schema):
    run_id = f.UUID()
    kind = f.String()
    case_id = f.UUID(allow_none=True)
    state = f.String(metadata={"description": "queued, running, done or failed"})
    done = f.Integer()
    total = f.Integer()
    percent = f.Integer()
    reason = f.String(metadata={"description": "Why it failed, when it did"})
    file_name = f.String(allow_none=True)
    content_type = f.String(allow_none=True)
    requested_at = f.AwareDateTime()
    finished_at = f.AwareDateTime(allow_none=True)
    file_url = f.String(allow_none=True, metadata={"description": "Once done: GET it"})
