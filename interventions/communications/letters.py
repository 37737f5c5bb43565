"""Letters to guardians as printable PDFs (ReportLab: pure Python, no system libraries to install).

The words come from a Django template (`interventions/communications/letter.txt`), so the letter's
wording is edited like any other page; ReportLab lays them out on an A4 page: the school's name, the
date, the guardian's address block, then the letter.
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

LETTER_TEMPLATE = "interventions/communications/letter.txt"


def address_block(student) -> str:
    """The guardian's name and postal address, one line per line; empty when there is no address."""
    address = (student.guardian_address or "").strip()
    if not address:
        return ""
    name = (student.guardian_name or "").strip() or f"The parent or guardian of {student.full_name}"
    return "\n".join([name, *[line.strip() for line in address.splitlines() if line.strip()]])


def _paragraph(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_letter_pdf(*, school_name: str, student, recipient: str, subject: str, body: str, on=None) -> bytes:
    """The PDF bytes of one letter."""
    on = on or timezone.localdate()
    text = render_to_string(
        LETTER_TEMPLATE,
        {"school_name": school_name, "date": on, "recipient": recipient, "subject": subject, "body": body},
    )
    styles = getSampleStyleSheet()
    letterhead = ParagraphStyle("letterhead", parent=styles["Title"], alignment=0, fontSize=18, spaceAfter=4 * mm)
    normal = ParagraphStyle("letter", parent=styles["Normal"], fontSize=11, leading=15, spaceAfter=3 * mm)
    heading = ParagraphStyle("subject", parent=normal, fontName="Helvetica-Bold")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=subject or f"Letter from {school_name}",
        author=school_name,
    )
    # The template's blocks are separated by blank lines; the first is the letterhead.
    blocks = [block.strip("\n") for block in text.split("\n\n") if block.strip()]
    story = [_paragraph(blocks[0], letterhead)]
    for block in blocks[1:]:
        if block.startswith("# "):
            story.append(_paragraph(block[2:], heading))
        else:
            story.append(_paragraph(block, normal))
        story.append(Spacer(1, 1 * mm))
    document.build(story)
    return buffer.getvalue()
