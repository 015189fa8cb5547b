"""Every document a couple or a partner can receive has one reader and holds nothing of anyone else.

Each PDF is read as its holder would read it: its text, and every QR code on its pages decoded.
The couple's documents hold no personal link and no safety question; a partner's own documents
hold that partner's link only and never the other partner's name; none holds a private or a
safety answer. The therapist's in-office sheet is the one place a safety question is printed.
"""
import io

import pytest
from pypdf import PdfReader

from toolkit.extensions import db
from toolkit.homework.models import Assignment
from toolkit.library import get_library
from toolkit.partners.services import link_url, live_link

zxingcpp = pytest.importorskip("zxingcpp")

# Every kind of sheet a session can carry: safety questions, private questions, joint work.
SAFETY_SHEET = "fighting-fair/after-a-disagreement"
SCREENING_SHEET = "is-it-worth-working-on/worth-working-on-reflection"
JOINT_SHEET = "both-and-compromise/both-and-practice"
MODULES = ["fighting-fair", "is-it-worth-working-on", "both-and-compromise"]
MAYA_PRIVATE = "I sleep at my sister's when it gets loud"
MAYA_SHARED = "We argued about the car keys"


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _qr_codes(pdf: bytes) -> list[str]:
    """Every QR code on every page, decoded from the images the PDF holds."""
    from PIL import Image

    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for picture in page.images:
            image = picture.image.convert("L")
            image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
            found += [r.text for r in zxingcpp.read_barcodes(image)]
    return found


@pytest.fixture
def practice(make, login, partner_client):
    """Maya & Jordan with a planned session of safety, screening and joint sheets; Maya has sent hers."""
    therapist = make.therapist(name="Robin Hale")
    couple = make.couple(therapist, first="Maya", second="Jordan")
    session = make.session(couple, modules=MODULES)
    maya, jordan = couple.partners
    tokens = {maya.id: make.link(maya), jordan.id: make.link(jordan)}
    for key in (SAFETY_SHEET, SCREENING_SHEET):
        make.assignment(couple, template_key=key, session=session)
    make.assignment(couple, template_key=JOINT_SHEET, who="joint", session=session)
    sheet = db.session.execute(db.select(Assignment).where(
        Assignment.partner_id == maya.id, Assignment.template_id == "after-a-disagreement")).scalar_one()
    browser = partner_client(tokens[maya.id])
    sent = browser.post(f"/me/homework/{sheet.id}", data=_answers(get_library().template(SAFETY_SHEET)))
    assert sent.status_code == 302
    db.session.refresh(sheet)
    assert sheet.status == "submitted" and sheet.private_answers_of(maya.id)["felt_unsafe"] == "yes"
    login(therapist)
    links = {p.id: link_url(live_link(p)) for p in couple.partners}
    return {"couple": couple, "session": session, "maya": maya, "jordan": jordan, "links": links}


def _answers(template) -> dict:
    """A full submission: Maya's story in the shared text, her private text, "yes" to safety."""
    data = {"action": "submit"}
    for field in template.fields:
        if field.safety:
            data[field.name] = field.concern[0]
        elif field.kind == "long_text":
            data[field.name] = MAYA_PRIVATE if field.private else "Calm"
        elif field.kind == "short_text":
            data[field.name] = MAYA_SHARED
        elif field.options:
            data[field.name] = field.options[0][0]
    return data


def _safety_labels() -> list[str]:
    library = get_library()
    return [f.label for key in (SAFETY_SHEET, SCREENING_SHEET, JOINT_SHEET)
            for f in library.template(key).fields if f.safety]


def _documents(client, practice):
    """(reader, name, PDF) for everything a couple or a partner can be handed."""
    couple, session = practice["couple"], practice["session"]
    base = f"/couples/{couple.id}"
    # The open flag asks the therapist to confirm the couple's packet; confirmed here by POST.
    yield "couple", "packet", client.post(f"{base}/sessions/{session.id}/packet.pdf").data
    yield "couple", "packet, large print", client.post(f"{base}/sessions/{session.id}/packet.pdf?large=1").data
    for slug in MODULES:
        yield "couple", f"handout {slug}", client.get(f"{base}/handouts/{slug}.pdf").data
    yield "couple", "progress for the couple", client.get(f"{base}/progress.pdf?client=1").data
    for partner in couple.partners:
        for large in ("", "?large=1"):
            url = f"{base}/sessions/{session.id}/packet-for/{partner.id}.pdf{large}"
            yield partner.id, f"own packet{large}", client.get(url).data
    for assignment in db.session.execute(db.select(Assignment).where(Assignment.couple_id == couple.id)).scalars():
        reader = assignment.partner_id or "couple"
        for variant in ("", "?large=1", "?fillable=1"):
            yield reader, f"worksheet {assignment.template_id}{variant}", client.get(
                f"{base}/homework/{assignment.id}/worksheet.pdf{variant}").data


def test_no_document_holds_another_readers_link_name_or_any_safety_question(client, practice):
    maya, jordan, links = practice["maya"], practice["jordan"], practice["links"]
    safety_labels = _safety_labels()
    assert len(safety_labels) >= 3
    checked = 0
    for reader, name, pdf in _documents(client, practice):
        assert pdf[:5] == b"%PDF-", name
        text, codes = _text(pdf), _qr_codes(pdf)
        where = f"{reader}: {name}"
        for label in safety_labels:
            assert label not in text, (where, label)
        assert MAYA_PRIVATE not in text and MAYA_SHARED not in text, where
        if reader == "couple":
            assert "/p/" not in text and codes == [], where
            assert links[maya.id] not in text and links[jordan.id] not in text, where
        else:
            own, other = (maya, jordan) if reader == maya.id else (jordan, maya)
            assert other.first_name not in text, where
            assert links[other.id] not in text, where
            assert set(codes) <= {links[own.id]}, where
            if "packet" in name or "fillable" not in name:
                assert codes, f"{where} has no QR code of its reader's link"
        checked += 1
    assert checked >= 20


def test_a_partners_packet_is_for_them_alone(client, practice):
    couple, session, maya = practice["couple"], practice["session"], practice["maya"]
    text = _text(client.get(f"/couples/{couple.id}/sessions/{session.id}/packet-for/{maya.id}.pdf").data)
    assert "For Maya" in text and "This packet is for Maya alone" in text
    for module in MODULES:
        assert get_library().get(module).title in text
    assert "After a disagreement" in text
    assert get_library().template(JOINT_SHEET).title not in text  # the joint sheet is the couple's


def test_the_couples_packet_holds_the_joint_sheet_and_no_ones_own(client, practice):
    couple, session = practice["couple"], practice["session"]
    text = _text(client.post(f"/couples/{couple.id}/sessions/{session.id}/packet.pdf").data)
    joint = get_library().template(JOINT_SHEET)
    assert joint.title in text and "Maya & Jordan" in text
    assert "After a disagreement" not in text


def test_the_in_office_sheet_is_the_therapists_full_sheet_without_a_link(client, practice):
    couple, maya = practice["couple"], practice["maya"]
    sheet = db.session.execute(db.select(Assignment).where(
        Assignment.partner_id == maya.id, Assignment.template_id == "worth-working-on-reflection")).scalar_one()
    pdf = client.get(f"/couples/{couple.id}/homework/{sheet.id}/worksheet.pdf?office=1").data
    text = _text(pdf)
    assert "For use in the office" in text and "/p/" not in text and _qr_codes(pdf) == []
    for field in get_library().template(SCREENING_SHEET).fields:
        if field.safety:
            assert field.label[:40] in text
