"""The pages of Mend's PDF reports: A4, the practice and the page number at each foot, and
text set in DejaVu Sans where the system has it (every character of every language it covers);
otherwise in the PDF's built-in Helvetica, which knows Latin-1 only, with the rest folded to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from mend.platform.reports.content import Heading
from mend.platform.web import words

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
INK, MUTED, LINE, GRID = (31, 42, 48), (90, 102, 109), (213, 220, 223), (227, 232, 234)
LOW, ACCENT, TRACK = (36, 87, 59), (47, 93, 98), (230, 235, 237)
#: Punctuation Latin-1 lacks, as Helvetica can set it.
FOLDED = str.maketrans({"—": "-", "–": "-", "−": "-", "‘": "'", "’": "'", "“": '"',
                        "”": '"', "…": "...", "\u00a0": " "})


class ReportPdf(FPDF):
    """A4 pages with the practice's name and the page number at the foot of each."""

    def __init__(self, heading: Heading, title: str):
        super().__init__(format="A4")
        self.heading, self.title_words = heading, title
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:
            self.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
            self.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.face = "DejaVu" if self.unicode else "Helvetica"
        self.set_title(self.words(title))
        self.set_creator("Mend")
        self.set_lang("en")
        self.set_creation_date(heading.made_at)
        self.add_page()

    def words(self, text: object) -> str:
        text = str(text)
        if self.unicode:
            return text
        return text.translate(FOLDED).encode("latin-1", "replace").decode("latin-1")

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(self.face, "B" if bold else "", size)
        self.set_text_color(*colour)

    def para(self, text: object, size: float = 10, bold: bool = False,
             colour: tuple[int, int, int] = INK, height: float = 5) -> None:
        self.style(size, bold, colour)
        self.multi_cell(0, height, self.words(text), new_x="LMARGIN", new_y="NEXT")

    def section(self, title: str) -> None:
        if self.get_y() > self.page_break_trigger - 30:
            self.add_page()
        self.ln(4)
        self.para(title, 13, bold=True)
        self.set_draw_color(*LINE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.style(8, colour=MUTED)
        self.cell(0, 5, self.words(f"{self.heading.practice} · {self.title_words} · "
                                   "Confidential"), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")

    def grid(self, header: Sequence[str], rows: Sequence[Sequence[object]],
             widths: Sequence[float]) -> None:
        self.style(9)
        self.set_draw_color(*LINE)
        self.set_fill_color(255, 255, 255)
        self.set_line_width(0.2)
        with self.table(col_widths=tuple(widths), text_align="LEFT", line_height=5,
                        cell_fill_mode="NONE",
                        headings_style=FontFace(emphasis="BOLD", color=MUTED),
                        borders_layout="HORIZONTAL_LINES") as table:
            for cells in (header, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(self.words(cell))
        self.ln(2)

    def opening(self, kind: str, title: str, lines: Sequence[str]) -> None:
        """The report's first lines: the practice, the title, what it is of, when made."""
        self.para(f"{self.heading.practice} · {kind}", 9, colour=MUTED)
        self.para(title, 18, bold=True, height=8)
        for line in lines:
            self.para(line, 10)
        made = words.local(self.heading.made_at, self.heading.tz)
        self.para(f"Made on {made} for {self.heading.made_for or 'a member of staff'}. "
                  f"Times are those of {self.heading.tz.key}.", 9, colour=MUTED)


@contextmanager
def dashed(pdf: ReportPdf, dash: float, gap: float) -> Iterator[None]:
    pdf.set_dash_pattern(dash, gap)
    try:
        yield
    finally:
        pdf.set_dash_pattern()


