"""Fixtures and PDF-reading helpers for the PDF tests."""
import datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from toolkit.library.loader import load_library
from toolkit.pdf.documents import PrintContext

HANDOUTS = Path(__file__).parents[2] / "handouts"


@pytest.fixture(scope="session")
def library():
    return load_library(HANDOUTS)


@pytest.fixture
def ctx():
    return PrintContext(
        couple_names="Sam Rivera & Alex Chen", partner_name="Alex Chen", therapist_name="Dr. Jo Park, LMFT",
        practice_name="Northside Couples Therapy", date=datetime.date(2026, 3, 3),
        due_on=datetime.date(2026, 3, 10), link_url="http://toolkit.test/h/" + "Tk3n" * 11,
        session_label="Session 4",
    )


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """All the text of a PDF, with line breaks turned into spaces."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader(pdf).pages)


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader(pdf).pages]


def stream_bytes(pdf: bytes) -> bytes:
    """Every object's decoded stream, concatenated: what compression would hide from a byte search."""
    pdf_reader = reader(pdf)
    chunks = [pdf]
    for number in range(1, int(pdf_reader.trailer["/Size"])):
        obj = pdf_reader.get_object(number)
        if obj is not None and hasattr(obj, "get_data"):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)
