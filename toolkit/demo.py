"""The demo practice: one therapist and three couples at different stages (all invented).

Every screen has something to show: sessions held and planned, homework in every status,
answers to compare side by side, and one open safety flag.
"""
from datetime import date, timedelta

from flask import current_app

from .auth.models import Therapist
from .auth.services import create_therapist
from .couples.services import create_couple
from .extensions import db
from .homework.services import assign, mark_reviewed, save_answers
from .measures.scale import ITEMS
from .measures.services import save_measure
from .notes.services import add_addendum, note_of, save_draft, sign, start_note
from .partners.services import issue_link
from .sessions.services import add_module, create_session, sessions_of
from .timeutil import utcnow

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-practice-2026"  # noqa: S105 - the published demo login, printed by `make run`
# The practice's admin and a second therapist, with the same published password. Demo accounts
# sign in without a second factor (mfa_exempt); every real account sets one up.
DEMO_ADMIN_EMAIL = "admin@example.org"
DEMO_COLLEAGUE_EMAIL = "lee@example.org"

COUPLES = [
    {
        "partner_1": {"first_name": "Maya", "pronouns": "she/her", "email": "maya@example.org"},
        "partner_2": {"first_name": "Jordan", "pronouns": "he/him", "email": "jordan@example.org"},
        "weeks_ago": 2,
        "notes": "Referred by their GP. Both work shifts; evenings are hard to schedule.",
    },
    {
        "partner_1": {"first_name": "Sam", "pronouns": "they/them", "email": None},
        "partner_2": {"first_name": "Alex", "pronouns": "he/him", "email": "alex@example.org"},
        "weeks_ago": 10,
        "notes": "Together 12 years, two children. Prefer paper worksheets for Sam.",
    },
    {
        "partner_1": {"first_name": "Priya", "pronouns": "she/her", "email": "priya@example.org"},
        "partner_2": {"first_name": "Dana", "pronouns": "she/her", "email": "dana@example.org"},
        "weeks_ago": 24,
        "notes": "Moving to monthly sessions; planning to end in the spring.",
    },
]


def database_is_empty() -> bool:
    return db.session.execute(db.select(Therapist.id).limit(1)).first() is None


def load_demo() -> Therapist:
    """Create the demo practice; the caller commits."""
    therapist = create_therapist(DEMO_EMAIL, "Dr. Robin Hale", DEMO_PASSWORD, credentials="LMFT",
                                 practice_name="Harbor Couples Counseling")
    admin = create_therapist(DEMO_ADMIN_EMAIL, "Casey Morgan", DEMO_PASSWORD, practice_name="Harbor Couples Counseling",
                             role="admin")
    colleague = create_therapist(DEMO_COLLEAGUE_EMAIL, "Lee Park", DEMO_PASSWORD, credentials="LPC",
                                 practice_name="Harbor Couples Counseling")
    for account in (therapist, admin, colleague):
        account.mfa_exempt = True
    today = date.today()
    couples = []
    for spec in COUPLES:
        data = {k: v for k, v in spec.items() if k != "weeks_ago"}
        data["started_on"] = today - timedelta(weeks=spec["weeks_ago"])
        couples.append(create_couple(therapist.id, data))
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    _early_couple(couples[0], now)
    _middle_couple(couples[1], now)
    _late_couple(couples[2], now)
    _notes(therapist, couples)
    for couple in couples:
        for partner in couple.partners:
            issue_link(partner)
    create_couple(colleague.id, {
        "partner_1": {"first_name": "Noor", "pronouns": "she/her", "email": None},
        "partner_2": {"first_name": "Ben", "pronouns": "he/him", "email": None},
        "started_on": date.today() - timedelta(weeks=1), "notes": "First consultation booked."})
    return therapist


def _answers_for(total: int) -> list[int]:
    """Answers to the four items that add up to `total`, spread evenly as people tend to answer."""
    maxima = [len(item.answers) - 1 for item in ITEMS]
    answers = [0, 0, 0, 0]
    for _ in range(total):
        i = min(range(4), key=lambda k: (answers[k] / maxima[k] if answers[k] < maxima[k] else 2, k))
        answers[i] += 1
    return answers


def _measures(couple, sessions, scores):
    """Each partner's check-in at each session, in order."""
    for partner, partner_scores in zip(couple.partners, scores):
        for session, total in zip(sessions, partner_scores):
            save_measure(couple, partner, session, _answers_for(total), "online")


NOTE_TEXT = {
    "subjective": "Both partners describe feeling more like flatmates than a couple. {a} reports loneliness; {b} reports work stress.",
    "assessment": "Engaged and willing. Conflict pattern: pursue and withdraw. No new safety concerns raised in session.",
    "behavior": "Arrived on time; spoke in turn with some interruptions early on.",
    "response": "Both named one thing they valued in the other; affect softened by the end.",
    "data_section": "Reviewed homework together. Practised I-statements with coaching.",
}


def _notes(therapist, couples):
    """Signed notes for held sessions, one with an addendum, and the latest left as a draft."""
    library = current_app.extensions["library"]
    for couple, note_format in zip(couples, ("SOAP", "DAP", "BIRP")):
        a, b = (p.first_name for p in couple.partners)
        held = [s for s in sessions_of(couple.id) if s.status == "held"]
        for n, session in enumerate(held):
            note = start_note(session, note_format, library)
            sections = dict(note.sections)
            for key in sections:
                sections[key] = "\n".join(filter(None, [sections[key], NOTE_TEXT.get(key, "").format(a=a, b=b)]))
            save_draft(note, sections)
            if n < len(held) - 1 or couple is couples[2]:
                sign(note, therapist)
        if couple is couples[2] and held:
            add_addendum(note_of(held[0]), therapist, f"Phone call with {a}: the walk ritual is holding; no concerns.")


def _session(couple, starts_at, status, modules, note=None):
    session = create_session(couple.id, starts_at.replace(hour=17), note)
    session.status = status
    for slug in modules:
        add_module(session, slug)
    return session


def _homework(couple, key, session, due_on, who="each"):
    template = current_app.extensions["library"].template(key)
    return template, assign(couple, template, who=who, due_on=due_on, instructions=None, session_id=session.id)


def _answer(template, assignment, partner, answers, *, submit=True, when=None, review=None):
    save_answers(assignment, template, partner, answers, submit=submit)
    if submit and when:
        assignment.submitted_at = when
    if review is not None:
        mark_reviewed(assignment, review)
        assignment.reviewed_at = (when or utcnow()) + timedelta(days=1)


def _early_couple(couple, now):
    """Maya & Jordan: one session held, the next in two days; one answer in, one draft."""
    maya, jordan = couple.partners
    first = _session(couple, now - timedelta(days=7), "held", ["why-connection-fades", "talking-openly"])
    second = _session(couple, now + timedelta(days=2), "planned", ["from-spark-to-steady-love", "listening-to-understand"],
                      "Thank you both for a brave first session. Bring your lists; we will go slowly.")
    template, (m, j) = _homework(couple, "why-connection-fades/reasons-it-faded", first, second.starts_at.date())
    _answer(template, m, maya, {
        "reasons": ["We both work late shifts", "Money worries since the move", "We stopped going out", "", ""],
        "close_now": 4, "want_back": "Laughing together at dinner like we used to.",
        "for_therapist": "I worry Jordan has already checked out."}, when=now - timedelta(days=3))
    _answer(template, j, jordan, {"reasons": ["Too tired after work", "", "", "", ""], "close_now": None,
                                  "want_back": None, "for_therapist": None}, submit=False)
    _homework(couple, "quality-time/date-plan", first, second.starts_at.date(), who="joint")
    couple.checkin_enabled = True
    _measures(couple, [first], [[12], [11]])


def _middle_couple(couple, now):
    """Sam & Alex: five sessions held; check-ins to compare, a late gratitude log, a safety flag."""
    sam, alex = couple.partners
    held = [_session(couple, now - timedelta(days=7 * n), "held", modules)
            for n, modules in ((5, ["why-connection-fades"]), (4, ["talking-openly", "weekly-check-in"]),
                               (3, ["daily-gratitude"]), (2, ["fighting-fair"]), (1, ["is-it-worth-working-on"]))]
    _session(couple, now + timedelta(days=1), "planned", ["letting-go-of-resentment", "forgiveness"],
             "We will look at your check-ins side by side and pick one thing to work on together.")
    template, (s, a) = _homework(couple, "weekly-check-in/three-two-one", held[3], (now - timedelta(days=1)).date())
    _answer(template, s, sam, {"done_well": ["Cooked on Tuesday", "Asked about Alex's day", "Put my phone away at dinner"],
                               "could_be_better": ["I snapped about the dishes", "Bedtime with the kids"],
                               "will_change": "Take a breath before I answer", "connected": 6,
                               "therapist_only": None}, when=now - timedelta(days=2))
    _answer(template, a, alex, {"done_well": ["Planned Saturday", "", ""], "could_be_better": ["We barely talked", "I worked late"],
                                "will_change": "Be home by seven twice", "connected": 2,
                                "therapist_only": "I feel like a roommate."}, when=now - timedelta(days=2))
    template, (s, a) = _homework(couple, "daily-gratitude/gratitude-log", held[2], (now - timedelta(days=3)).date())
    _answer(template, s, sam, {"told_partner": ["Day 1", "Day 2", "Day 4", "Day 6"],
                               "appreciated_this_week": ["The note in my bag", "Alex took the kids out", ""],
                               "felt_appreciated": 5, "easy_or_hard": "Easier than I thought", "therapist_only": None},
            when=now - timedelta(days=9), review="Sam noticed small things; build on the note idea.")
    template, (s, a) = _homework(couple, "is-it-worth-working-on/worth-working-on-reflection", held[4], now.date())
    _answer(template, a, alex, {"want_to_keep_working": 6, "reasons_to_stay": "Our kids, and we were good once.",
                                "reasons_unsure": "Arguments get loud.", "where_i_stand": "I'm not sure yet",
                                "hurt_or_afraid": "yes", "safe_at_home": "yes"}, when=now - timedelta(hours=20))
    couple.checkin_enabled = True
    # Sam stays about the same; Alex is below the cut-off and falling.
    _measures(couple, held, [[14, 15, 14, 14, 15], [12, 12, 11, 10, 9]])


def _late_couple(couple, now):
    """Priya & Dana: monthly sessions now; everything reviewed; next session in three weeks."""
    priya, dana = couple.partners
    held = [_session(couple, now - timedelta(days=28 * n), "held", modules)
            for n, modules in ((3, ["rituals-of-connection"]), (2, ["new-experiences-together"]),
                               (1, ["realistic-expectations-and-small-wins", "weekly-check-in"]))]
    _session(couple, now - timedelta(days=14), "cancelled", [])
    _session(couple, now + timedelta(days=21), "planned", ["choosing-love-every-day"],
             "Last planned session before we move to check-ins as needed.")
    template, (joint,) = _homework(couple, "rituals-of-connection/ritual-plan", held[0], (now - timedelta(days=70)).date(),
                                   who="joint")
    _answer(template, joint, priya, {"ritual": "A walk after dinner", "how_often": "A few times a week",
                                     "days_done": ["Day 1", "Day 3", "Day 5", "Day 6"],
                                     "how_it_went": "We talked more on the walks than at home."},
            when=now - timedelta(days=75), review="Ritual is holding. Keep it.")
    template, (p, d) = _homework(couple, "weekly-check-in/three-two-one", held[2], (now - timedelta(days=21)).date())
    for item, partner, score in ((p, priya, 8), (d, dana, 7)):
        _answer(template, item, partner, {"done_well": ["Kept our walk", "Said thank you", "Planned a trip"],
                                          "could_be_better": ["Screens in bed", ""], "will_change": "Phones out of the bedroom",
                                          "connected": score, "therapist_only": None},
                when=now - timedelta(days=24), review="Steady. Ready to taper.")
    # Both improving, now well above the cut-off.
    _measures(couple, held, [[11, 15, 18], [10, 14, 17]])
