"""A case report as one printable HTML document, drawn from the case page's own partials.

The document carries its stylesheet inline, so it prints the same whether it is opened from
Mend or saved to disk. Mend serves it under a policy that allows that one style (by its hash)
and nothing else: no script, no image, no request anywhere.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from markupsafe import Markup

from mend.platform.reports.content import CHART_WEEKS, CaseReport
from mend.platform.web import charts, words

STYLE = (files("mend.platform") / "static" / "report.css").read_text(encoding="utf-8")
STYLE_SOURCE = "'sha256-{}'".format(
    base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode())
#: The Content-Security-Policy a printable report is served under.
POLICY = {
    "default-src": "'none'",
    "style-src": STYLE_SOURCE,
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}


@pass_context
def _local(context: Any, moment: Any, style: str = "moment") -> str:
    return words.local(moment, context["heading"].tz, style)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The pages' templates and words, without Flask: a job has no request to render in."""
    env = Environment(loader=PackageLoader("mend.platform", "templates"),
                      autoescape=select_autoescape(("html",)))
    env.filters.update(words.FILTERS)
    env.filters["local"] = _local
    env.globals.update(words.GLOBALS)
    return env


def case_page(report: CaseReport) -> bytes:
    figures = report.figures
    weeks = report.weeks[-CHART_WEEKS:]
    html = environment().get_template("web/report_case.html").render(
        heading=report.heading, case=report.case, figures=figures, weeks=weeks,
        chart=charts.weekly_chart(weeks, figures.baseline, figures.significant_change_on),
        reasons=[words.risk_reason(r) for r in figures.risk_reasons],
        check_ins=report.check_ins, entries=report.entries, table_open=True,
        style=Markup(STYLE))
    return html.encode("utf-8")
