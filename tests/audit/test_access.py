"""A couple's page lists who opened, changed or printed that couple's records, and nothing of others'."""
import html

from toolkit.audit.models import AuditEvent
from toolkit.audit.services import ACCESS_ROWS, events_for_couple, record
from toolkit.extensions import db


def _section(page: str) -> str:
    return html.unescape(page[page.index('id="access-h"'):page.index("</details>")])


def _busy_couple(make, therapist, first, second):
    couple = make.couple(therapist, first=first, second=second)
    session = make.session(couple, days_from_now=-1, status="held")
    make.assignment(couple, session=session)
    make.measure(couple.partners[0], session, [3, 3, 3, 3])
    return couple, session


def test_the_couple_page_shows_its_own_events_and_none_of_another_couples(client, make, login):
    therapist = make.therapist(name="Robin Hale")
    ours, session = _busy_couple(make, therapist, "Ana", "Sam")
    theirs, their_session = _busy_couple(make, therapist, "Lee", "Kim")
    login(therapist)
    client.get(f"/couples/{ours.id}/sessions/{session.id}")
    client.post(f"/couples/{ours.id}/sessions/{session.id}/note/start", data={"format": "SOAP"})
    client.get(f"/couples/{theirs.id}/sessions/{their_session.id}")
    client.get(f"/couples/{theirs.id}/edit")
    client.post(f"/couples/{ours.id}/safety-questions", data={"reason": "Reason that stays in the record"})

    page = client.get(f"/couples/{ours.id}").get_data(as_text=True)
    shown = _section(page)
    assert "<details>" in shown  # collapsed until asked for
    for line in ("Robin Hale</strong> opened the couple's page", "opened a session · <span class=\"muted\">Session 1",
                 "started a note · <span class=\"muted\">Note of session 1", "recorded a check-in",
                 "assigned homework", "added the couple"):
        assert line in shown, line
    assert "details to edit" not in shown  # that was the other couple
    assert "Reason that stays in the record" not in shown  # what happened, never what it says

    # Every event on our records, and only those: the other couple has as many of its own.
    assert len(events_for_couple(ours)) == _count_events_of(ours) < ACCESS_ROWS
    assert _count_events_of(theirs) >= 6


def _count_events_of(couple) -> int:
    """Counted the slow way, object by object."""
    from toolkit.homework.models import Assignment
    from toolkit.measures.models import Measure
    from toolkit.notes.models import SessionNote
    from toolkit.sessions.models import TherapySession

    sessions = db.session.execute(db.select(TherapySession.id).filter_by(couple_id=couple.id)).scalars().all()
    objects = {"couple": [couple.id], "partner": [p.id for p in couple.partners], "session": sessions,
               "assignment": db.session.execute(db.select(Assignment.id).filter_by(couple_id=couple.id)).scalars().all(),
               "measure": db.session.execute(db.select(Measure.id).filter_by(couple_id=couple.id)).scalars().all(),
               "note": db.session.execute(db.select(SessionNote.id).where(SessionNote.session_id.in_(sessions)))
               .scalars().all()}
    return sum(db.session.execute(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))).scalar_one() for kind, ids in objects.items())


def test_the_newest_twenty_are_listed_newest_first(app, make):
    therapist = make.therapist()
    couple = make.couple(therapist)
    for n in range(ACCESS_ROWS + 5):
        record("print.handout", couple, detail=f"module-{n}")
    record("partner_link.open", couple.partners[0], object_type="partner", actor=f"partner:{couple.partners[0].id}")
    db.session.commit()
    listed = events_for_couple(couple)
    assert len(listed) == ACCESS_ROWS
    assert listed[0].who == "Ana (partner)" and listed[0].what == "opened their private link"
    assert listed[0].which == "Ana"
    assert [e.at for e in listed] == sorted((e.at for e in listed), reverse=True)


def test_the_couple_page_reads_the_record_of_access_in_one_query(client, make, login):
    from sqlalchemy import event

    therapist = make.therapist()
    couple, _ = _busy_couple(make, therapist, "Ana", "Sam")
    login(therapist)
    statements = []

    def listen(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        assert client.get(f"/couples/{couple.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert sum("targets" in s for s in statements) == 1
