"""The partner's side: open the link, then see and fill their own homework."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from ..audit.services import record
from ..extensions import db
from ..homework.services import answers_for_partner, get_for_partner, has_homework_from, homework_for_partner, save_answers
from ..library import get_library
from ..measures.forms import MeasureForm, answers_of
from ..measures.scale import ITEMS
from ..measures.services import pending_checkin, save_measure
from ..library.forms import answers_from, form_class
from ..timeutil import utcnow
from .services import (close_session, find_live_link, load_partner, open_session, record_bad_link,
                       too_many_bad_links)

# Two blueprints: the link itself (/p/<token>), and the partner's pages after Continue (/me).
link_bp = Blueprint("partner_link", __name__, url_prefix="/p")
bp = Blueprint("partner", __name__, url_prefix="/me")

SESSION_KEY = "partner_token"
SENT_ROWS = 10  # the page opens on what is to do; "Show all" lists every piece sent


def _dead_link_page():
    return render_template("partner/link_unavailable.html"), 404


def _live_link(token: str):
    """The live link for a token, counting a miss against the address (429 once it guesses too much)."""
    if too_many_bad_links(request.remote_addr):
        abort(429)
    link = find_live_link(token)
    if link is None:
        record_bad_link()
        db.session.commit()
    return link


@link_bp.get("/<token>")
def open_link(token: str):
    """Show a Continue button; a GET changes nothing, so mail scanners that open links do no harm."""
    link = _live_link(token)
    if link is None:
        return _dead_link_page()
    return render_template("partner/continue.html", first_name=link.partner.first_name)


@link_bp.post("/<token>")
def continue_link(token: str):
    """Exchange the link for a session cookie and go to a page whose address has no token."""
    link = _live_link(token)
    if link is None:
        return _dead_link_page()
    session.pop(SESSION_KEY, None)
    session[SESSION_KEY] = open_session(link)
    db.session.commit()
    return redirect(url_for("partner.home"))


@bp.before_request
def require_partner():
    """Every /me page belongs to the partner whose link opened this browser session."""
    partner = load_partner(session.get(SESSION_KEY))
    if partner is None:
        session.pop(SESSION_KEY, None)
        return _dead_link_page()
    g.partner = partner


@bp.get("/")
def home():
    """The partner's homework: their own and the joint ones."""
    assignments = homework_for_partner(g.partner)
    todo = [a for a in assignments if not a.is_done]
    sent = [a for a in reversed(assignments) if a.is_done]  # the latest first
    shown = sent if request.args.get("all") == "1" else sent[:SENT_ROWS]
    checkin = pending_checkin(g.partner, g.partner.couple, utcnow())
    return render_template("partner/home.html", todo=todo, sent=shown, sent_total=len(sent), checkin=checkin,
                           today=utcnow().date())


@bp.route("/checkin", methods=["GET", "POST"])
def checkin():
    """The short check-in before the next session; only the therapist sees the answers."""
    session_due = pending_checkin(g.partner, g.partner.couple, utcnow())
    if session_due is None:
        return redirect(url_for("partner.home"))
    form = MeasureForm()
    if form.validate_on_submit():
        save_measure(g.partner.couple, g.partner, session_due, answers_of(form), "online")
        db.session.commit()
        flash("Thank you. Your check-in went to your therapist.", "success")
        return redirect(url_for("partner.home"))
    return render_template("partner/checkin.html", form=form, items=ITEMS, session_due=session_due)


def _template_of(assignment):
    return get_library().template(assignment.template_key) or abort(404)


@bp.route("/homework/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id: int):
    """Fill in, save a draft of, or submit one assignment; read it back once submitted."""
    partner = g.partner
    item = get_for_partner(partner, assignment_id, for_update=request.method == "POST")
    template = _template_of(item)
    module = get_library().get(item.module_slug)
    if request.method == "POST" and not item.is_done:
        submitting = request.form.get("action") == "submit"
        form = form_class(template, draft=not submitting)()
        if form.validate_on_submit():
            concerns = save_answers(item, template, partner, answers_from(form, template), submit=submitting)
            db.session.commit()
            if concerns:
                session["show_crisis"] = True
            flash("Sent to your therapist. Thank you." if submitting else
                  "Draft saved. You can come back and finish it later.", "success")
            return redirect(url_for("partner.assignment", assignment_id=item.id))
        return render_template("partner/assignment.html", item=item, template=template, module=module,
                               form=form, crisis=False, today=utcnow().date())
    if request.method == "POST":
        flash("This was already sent. Nothing was changed.", "info")
        return redirect(url_for("partner.assignment", assignment_id=item.id))
    answers = answers_for_partner(item, template, partner)
    form = form_class(template, draft=True)(data=answers, formdata=None)
    record("assignment.view", item)
    db.session.commit()
    crisis = session.pop("show_crisis", False) or any(
        spec.is_concern(answers.get(spec.name)) for spec in template.fields)
    return render_template("partner/assignment.html", item=item, template=template, module=module,
                           form=form, answers=answers, crisis=crisis, today=utcnow().date(),
                           crisis_text=current_app.config["CRISIS_RESOURCES"])


@bp.get("/read/<slug>")
def handout(slug: str):
    """A module's client handout, for modules this partner has homework from."""
    if not has_homework_from(g.partner, slug):
        abort(404)
    module = get_library().get(slug) or abort(404)
    return render_template("partner/handout.html", module=module)


@bp.post("/leave")
def leave():
    """Sign this browser out; the link still works to come back."""
    close_session(session.pop(SESSION_KEY, None))
    db.session.commit()
    return render_template("partner/left.html")
