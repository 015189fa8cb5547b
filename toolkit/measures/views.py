"""The therapist's side of the measure: turn the check-in on or off, enter a paper answer."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..audit.services import record
from ..couples.services import partner_of, switch_checkin
from ..extensions import db
from ..sessions.services import get_session_of
from .forms import MeasureForm, SafetyQuestionsOffForm, answers_of
from .safety import SAFETY_QUESTIONS
from .scale import ITEMS
from .services import save_measure, turn_safety_questions_off, turn_safety_questions_on

bp = Blueprint("measures", __name__, url_prefix="/couples/<int:couple_id>")



@bp.post("/checkin")
def toggle_checkin():
    """Ask (or stop asking) each partner for the measure before every planned session."""
    couple = g.couple
    now_on = switch_checkin(couple)
    db.session.commit()
    flash("Each partner will be asked for the check-in before every planned session." if now_on
          else "The check-in is off.", "info")
    return redirect(url_for("couples.detail", couple_id=couple.id) + "#progress")


@bp.route("/safety-questions", methods=["GET", "POST"])
def safety_questions():
    """Turn the check-in's private safety questions off for this couple, with a reason."""
    couple = g.couple
    form = SafetyQuestionsOffForm()
    if form.validate_on_submit():
        turn_safety_questions_off(couple, form.reason.data)
        db.session.commit()
        flash("The safety questions are off for this couple. The reason is kept in the record.", "info")
        return redirect(url_for("couples.detail", couple_id=couple.id) + "#progress")
    return render_template("measures/safety_questions.html", couple=couple, form=form, questions=SAFETY_QUESTIONS)


@bp.post("/safety-questions/on")
def safety_questions_on():
    """Ask the check-in's safety questions again."""
    couple = g.couple
    turn_safety_questions_on(couple)
    db.session.commit()
    flash("The safety questions are back on the check-in.", "info")
    return redirect(url_for("couples.detail", couple_id=couple.id) + "#progress")


@bp.route("/sessions/<int:session_id>/measure/<int:partner_id>", methods=["GET", "POST"])
def paper_entry(session_id: int, partner_id: int):
    """Enter a partner's answers from the paper form."""
    couple = g.couple
    session = get_session_of(couple.id, session_id)
    partner = partner_of(couple, partner_id)
    form = MeasureForm()
    if form.validate_on_submit():
        measure = save_measure(couple, partner, session, answers_of(form), "paper")
        db.session.commit()
        flash(f"Saved {partner.first_name}'s check-in: {measure.score} of 21.", "success")
        return redirect(url_for("couples.detail", couple_id=couple.id) + "#progress")
    if request.method == "GET":
        record("measure.paper_form", partner, object_type="partner", detail=f"session {session.id}")
        db.session.commit()
    return render_template("measures/paper.html", couple=couple, session=session, partner=partner, form=form,
                           items=ITEMS)
