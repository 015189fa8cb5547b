"""The partner's side: open the link, then see and fill their own homework.

Three blueprints: the link itself (/p/<token>); the pages every partner can reach without a
session (help and safety, quick exit); and the partner's pages after Continue (/me), which
open only once the partner has agreed to the practice's policy (and set a passcode, when the
practice requires one).
"""
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from ..access import limit_to_partner
from ..audit.services import record
from ..extensions import db
from ..homework.services import (
    answers_for_partner,
    get_for_partner,
    has_homework_from,
    homework_for_partner,
    save_answers,
)
from ..homework.versions import form_of
from ..library import get_library
from ..library.forms import answers_from, form_class
from ..measures.forms import answers_of, checkin_form_class, safety_answers_of
from ..measures.safety import SAFETY_QUESTIONS, SCREEN_NOTE, concerns_in
from ..measures.scale import ITEMS
from ..measures.services import pending_checkin, save_measure
from ..timeutil import utcnow
from .forms import ContinueForm, PasscodeForm, PolicyForm
from .services import (
    agree_to_policy,
    check_passcode,
    close_session,
    decline_passcode,
    find_live_link,
    load_partner,
    needs_passcode,
    open_session,
    passcode_mode,
    passcode_throttled,
    record_bad_link,
    set_passcode,
    should_ask_for_passcode,
    too_many_bad_links,
)

link_bp = Blueprint("partner_link", __name__, url_prefix="/p")
public_bp = Blueprint("partner_public", __name__)
bp = Blueprint("partner", __name__, url_prefix="/me")

SESSION_KEY = "partner_token"
CRISIS_KEY = "show_crisis"  # shown once, on the page right after sending; never again from the answers
CRISIS_SECONDS = 120  # a page opened later (the tab closed before it loaded) shows nothing of it
SENT_ROWS = 10  # the page opens on what is to do; "Show all" lists every piece sent
# /me pages that open before the policy is agreed and a required passcode is set.
GATE_ENDPOINTS = {"partner.policy", "partner.passcode", "partner.leave"}


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


def _continue_page(link, form, status=200):
    return render_template("partner/continue.html", first_name=link.partner.first_name, form=form,
                           asks_passcode=needs_passcode(link.partner)), status


@link_bp.get("/<token>")
def open_link(token: str):
    """Show a Continue button; a GET changes nothing, so mail scanners that open links do no harm."""
    link = _live_link(token)
    if link is None:
        return _dead_link_page()
    return _continue_page(link, ContinueForm(formdata=None))


def _opened_here(partner) -> bool:
    """Whether this browser already has a live session of this partner (no passcode asked again)."""
    current = load_partner(session.get(SESSION_KEY))
    return current is not None and current.id == partner.id


@link_bp.post("/<token>")
def continue_link(token: str):
    """Exchange the link (and the partner's passcode, in a new browser) for a session cookie."""
    link = _live_link(token)
    if link is None:
        return _dead_link_page()
    form = ContinueForm()
    partner = link.partner
    if needs_passcode(partner) and not _opened_here(partner):
        if passcode_throttled(partner, request.remote_addr):
            form.passcode.errors = ["Too many wrong passcodes. Wait 15 minutes and try again."]
            return _continue_page(link, form, 429)
        if not form.validate_on_submit() or not form.passcode.data:
            form.passcode.errors = ["Type your passcode."]  # not a wrong try: nothing was guessed
            return _continue_page(link, form, 400)
        if not check_passcode(partner, form.passcode.data):
            db.session.commit()
            form.passcode.errors = ["That passcode is not right. Try again, or ask your therapist to clear it."]
            return _continue_page(link, form, 400)
    elif not form.validate_on_submit():
        abort(400)
    close_session(session.pop(SESSION_KEY, None))
    session[SESSION_KEY] = open_session(link)
    db.session.commit()
    return redirect(url_for("partner.home"))


@public_bp.get("/help")
def help_and_safety():
    """The practice's crisis resources and its policy, reachable from every partner page, with or without a session."""
    g.partner = load_partner(session.get(SESSION_KEY))  # for the way back to their homework, when signed in
    return render_template("partner/help.html", crisis_text=current_app.config["CRISIS_RESOURCES"],
                           policy=current_app.config["COUPLES_POLICY"])


@public_bp.post("/exit")
def quick_exit():
    """Leave quickly: end the partner's session on the server and show a neutral site.

    The page's script has already replaced the page (without a history entry) and sent this
    as a beacon; without script, the response takes the browser away itself.
    """
    close_session(session.pop(SESSION_KEY, None))
    session.pop(CRISIS_KEY, None)
    db.session.commit()
    response = current_app.make_response(render_template("partner/exit.html",
                                                          exit_url=current_app.config["QUICK_EXIT_URL"]))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.before_request
def require_partner():
    """Every /me page belongs to the partner whose link opened this browser session.

    None opens before the partner agreed to the practice's policy, nor (when the practice
    requires one, or it is the first visit) before they were asked to set a passcode.
    """
    partner = load_partner(session.get(SESSION_KEY))
    if partner is None:
        session.pop(SESSION_KEY, None)
        return _dead_link_page()
    g.partner = partner
    limit_to_partner(partner)  # every query of this request reads this couple's records only
    if request.endpoint in GATE_ENDPOINTS:
        return None
    if partner.policy_agreed_at is None:
        return redirect(url_for("partner.policy"))
    if should_ask_for_passcode(partner):
        return redirect(url_for("partner.passcode"))
    return None


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """The practice's confidentiality policy for couples, agreed once before any homework opens."""
    form = PolicyForm()
    if form.validate_on_submit():
        if g.partner.policy_agreed_at is None:
            agree_to_policy(g.partner)
            db.session.commit()
        return redirect(url_for("partner.home"))
    return render_template("partner/policy.html", form=form, policy=current_app.config["COUPLES_POLICY"])


@bp.route("/passcode", methods=["GET", "POST"])
def passcode():
    """Set (or change) a passcode that a new browser must enter; or, when only offered, not now."""
    if passcode_mode() == "off":
        return redirect(url_for("partner.home"))
    if g.partner.policy_agreed_at is None:
        return redirect(url_for("partner.policy"))
    required = passcode_mode() == "required"
    if request.method == "POST" and request.form.get("action") == "skip" and not required:
        decline_passcode(g.partner)  # a POST, so the app-wide CSRF check has passed
        db.session.commit()
        return redirect(url_for("partner.home"))
    form = PasscodeForm()
    if form.validate_on_submit():
        set_passcode(g.partner, form.passcode.data)
        db.session.commit()
        flash("Your passcode is set. A new browser opening your link will ask for it.", "success")
        return redirect(url_for("partner.home"))
    return render_template("partner/passcode.html", form=form, required=required)


@bp.get("/")
def home():
    """The partner's homework: their own and the joint ones."""
    assignments = homework_for_partner(g.partner)
    todo = [a for a in assignments if not a.is_done]
    sent = [a for a in reversed(assignments) if a.is_done]  # the latest first
    shown = sent if request.args.get("all") == "1" else sent[:SENT_ROWS]
    checkin = pending_checkin(g.partner, g.partner.couple, utcnow())
    return render_template("partner/home.html", todo=todo, sent=shown, sent_total=len(sent), checkin=checkin,
                           today=utcnow().date(), passcodes=passcode_mode() != "off")


def _crisis_once() -> str | None:
    """The crisis resources, on the one page shown right after an answer of concern was sent."""
    sent_at = session.pop(CRISIS_KEY, None)
    if not isinstance(sent_at, str) or (utcnow() - datetime.fromisoformat(sent_at)).total_seconds() > CRISIS_SECONDS:
        return None
    return current_app.config["CRISIS_RESOURCES"]


@bp.route("/checkin", methods=["GET", "POST"])
def checkin():
    """The short check-in before the next session; only the therapist sees the answers."""
    couple = g.partner.couple
    session_due = pending_checkin(g.partner, couple, utcnow())
    if session_due is None:
        return redirect(url_for("partner.home"))
    form = checkin_form_class(couple)()
    if form.validate_on_submit():
        safety = safety_answers_of(form)
        save_measure(couple, g.partner, session_due, answers_of(form), "online", safety)
        db.session.commit()
        flash("Thank you. Your check-in went to your therapist.", "success")
        if concerns_in(safety or {}):
            session[CRISIS_KEY] = utcnow().isoformat()
            return redirect(url_for("partner.sent"))
        return redirect(url_for("partner.home"))
    return render_template("partner/checkin.html", form=form, items=ITEMS, session_due=session_due,
                           safety_questions=SAFETY_QUESTIONS if couple.safety_questions_on else (),
                           screen_note=SCREEN_NOTE)


@bp.get("/sent")
def sent():
    """After the check-in: thanks, and the crisis resources when an answer asked for them."""
    crisis_text = _crisis_once()
    if crisis_text is None:
        return redirect(url_for("partner.home"))
    return render_template("partner/sent.html", crisis_text=crisis_text)


@bp.route("/homework/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id: int):
    """Fill in, save a draft of, or submit one assignment; read it back once submitted."""
    partner = g.partner
    item = get_for_partner(partner, assignment_id, for_update=request.method == "POST")
    answered = form_of(item)  # the form as it was given, whatever the module file holds today
    template, module = answered.template, answered.module
    if request.method == "POST" and not item.is_done:
        submitting = request.form.get("action") == "submit"
        form = form_class(template, draft=not submitting)()
        if form.validate_on_submit():
            concerns = save_answers(item, template, partner, answers_from(form, template), submit=submitting)
            db.session.commit()
            if concerns:
                session[CRISIS_KEY] = utcnow().isoformat()
            flash("Sent to your therapist. Thank you." if submitting else
                  "Draft saved. You can come back and finish it later.", "success")
            return redirect(url_for("partner.assignment", assignment_id=item.id))
        return render_template("partner/assignment.html", item=item, template=template, module=module,
                               form=form, crisis_text=None, today=utcnow().date())
    if request.method == "POST":
        flash("This was already sent. Nothing was changed.", "info")
        return redirect(url_for("partner.assignment", assignment_id=item.id))
    answers = answers_for_partner(item, template, partner)
    form = form_class(template, draft=True)(data=answers, formdata=None)
    record("assignment.view", item)
    db.session.commit()
    return render_template("partner/assignment.html", item=item, template=template, module=module,
                           form=form, answers=answers, crisis_text=_crisis_once(), today=utcnow().date())


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
