"""A practice of a given size for benchmarks: couples, sessions, submissions, measures.

    .venv/bin/python bench/generate.py DATABASE_URL --couples 300

Prints the therapist's email and password and one partner's link token as JSON.
"""
import argparse
import json
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

PASSWORD = "bench-password-2026"


def generate(database_url: str, couples: int, sessions_per_couple: int = 10, submissions: int = 20000,
             secret_key: str = "bench-secret") -> dict:
    from toolkit import create_app
    from toolkit.auth.services import create_therapist
    from toolkit.couples.models import Couple, Partner
    from toolkit.extensions import db
    from toolkit.homework.models import Assignment
    from toolkit.measures.models import Measure
    from toolkit.partners.services import issue_link
    from toolkit.sessions.models import PlanItem, TherapySession
    from toolkit.timeutil import utcnow

    rng = random.Random(7)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": secret_key})
    with app.app_context():
        db.drop_all()
        db.create_all()
        therapist = create_therapist("bench@example.org", "Bench Therapist", PASSWORD, practice_name="Bench Practice")
        therapist.mfa_exempt = True  # a benchmark account, like the demo's: the pages are measured, not the sign-in
        db.session.flush()
        now = utcnow().replace(microsecond=0)
        library = app.extensions["library"]
        templates = [t for m in library for t in m.homework]
        slugs = [m.slug for m in library]
        db.session.execute(insert(Couple), [{"id": n + 1, "therapist_id": therapist.id, "created_at": now,
                                             "checkin_enabled": True} for n in range(couples)])
        db.session.execute(insert(Partner), [
            # Each partner has agreed to the policy and passed on a passcode: their homework page opens.
            {"id": 2 * n + p + 1, "couple_id": n + 1, "position": p + 1, "first_name": f"{'AB'[p]}{n}",
             "policy_agreed_at": now, "passcode_offered_at": now}
            for n in range(couples) for p in range(2)])
        sessions, plans, measures = [], [], []
        for n in range(couples):
            for k in range(sessions_per_couple):
                sid = n * sessions_per_couple + k + 1
                # Weekly, each couple on its own weekday and hour; the last is next week.
                starts = now + timedelta(days=7 * (k - sessions_per_couple + 2) + n % 7, hours=n % 9)
                sessions.append({"id": sid, "couple_id": n + 1, "number": k + 1, "starts_at": starts,
                                 "status": "held" if starts < now else "planned", "created_at": now})
                plans += [{"session_id": sid, "module_slug": s, "position": i}
                          for i, s in enumerate(rng.sample(slugs, 2))]
                if starts < now:
                    measures += [{"couple_id": n + 1, "partner_id": 2 * n + p + 1, "session_id": sid,
                                  "answers": [3, 3, 3, 3], "score": rng.randint(6, 20), "source": "online",
                                  "created_at": now} for p in range(2)]
        last_two = {}
        for m in measures:  # in session order: keep each partner's newest two, as save_measure does
            last_two.setdefault(m["partner_id"], []).insert(0, m["score"])
        for partner_id, scores in last_two.items():
            db.session.execute(db.update(Partner).where(Partner.id == partner_id)
                               .values(latest_score=scores[0], previous_score=scores[1] if len(scores) > 1 else None))
        db.session.execute(insert(TherapySession), sessions)
        db.session.execute(insert(PlanItem), plans)
        db.session.execute(insert(Measure), measures)
        rows = []
        for i in range(submissions):
            n = i % couples
            template = templates[i % len(templates)]
            done = i % 10 != 0
            rows.append({"couple_id": n + 1, "partner_id": 2 * n + 1 + (i // couples) % 2, "batch": f"b{i}",
                         "session_id": n * sessions_per_couple + 1, "module_slug": template.module_slug,
                         "template_id": template.id, "title": template.title, "due_on": (now - timedelta(days=i % 60)).date(),
                         "status": "submitted" if done and i % 3 else ("reviewed" if done else "assigned"),
                         "answers": {f.name: "An answer" for f in template.fields if not f.therapist_only},
                         "private_answers": {}, "submitted_at": now - timedelta(hours=i % 500) if done else None,
                         "created_at": now, "updated_at": now})
        db.session.execute(insert(Assignment), rows)
        partner = db.session.get(Partner, 1)
        link = issue_link(partner)
        db.session.commit()
        token = link.token(secret_key)
        db.session.remove()
        db.engine.dispose()
    return {"email": "bench@example.org", "password": PASSWORD, "partner_token": token}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--couples", type=int, default=300)
    parser.add_argument("--submissions", type=int, default=20000)
    args = parser.parse_args()
    print(json.dumps(generate(args.database_url, args.couples, submissions=args.submissions)))
