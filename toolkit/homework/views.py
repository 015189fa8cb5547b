"""The therapist's side of homework: assign, review, safety flags, partner links."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..audit.services import record
from ..couples.services import get_owned_couple, partner_of
from ..extensions import db
from ..library import get_library
from ..partners.services import clear_passcode as clear_partner_passcode, issue_link, links_of, revoke_links
from ..sessions.services import get_session_of, require_unsigned
from ..timeutil import utcnow
from .forms import AssignForm, ReviewForm
from .display import due, status_badge
from .services import (acknowledge_flag, assign, batch_of, confirm_joint_work_safe, default_due_date,
                       get_assignment_of, mark_reviewed, open_flags, who_choices)

bp = Blueprint("homework", __name__, url_prefix="/couples/<int:couple_id>")
bp.add_app_template_global(due)
bp.add_app_template_global(status_badge)


@bp.before_request
@login_required
def require_login():
    """Homework pages are a therapist's pages."""


@bp.route("/sessions/<int:session_id>/assign", methods=["GET", "POST"])
def assign_homework(couple_id: int, session_id: int):
    """Assign one homework template from a module, to each partner or to the couple."""
    couple = get_owned_couple(couple_id, current_user.id)
    session = get_session_of(couple.id, session_id)
    template = get_library().template(request.args.get("template", "")) or abort(404)
    require_unsigned(session)  # a session whose note is signed is part of the record: nothing more is added
    form = AssignForm()
    form.who.choices = [SelectChoice(value, label) for value, label in who_choices(couple)]
    if request.method == "GET":
        form.who.data = template.who
        form.due_on.data = default_due_date(couple.id, max(utcnow(), session.starts_at))
    # While a partner has an open safety flag, joint work waits for the therapist's one-click "safe".
    flags = open_flags(couple.id) if form.who.data == "joint" and request.method == "POST" else []
    confirming = bool(flags) and request.form.get("joint_safe") != "1"
    if form.validate_on_submit() and not confirming:
        if (earlier := form.sent_before()) is not None:
            return earlier
        if flags:
            confirm_joint_work_safe(couple, "joint homework")
        made = assign(couple, template, who=form.who.data, due_on=form.due_on.data,
                      instructions=form.instructions.data, session_id=session.id)
        shown_at = form.created(url_for("sessions.detail", couple_id=couple.id, session_id=session.id))
        db.session.commit()
        flash(f"Assigned “{template.title}” ({_assigned_to(form.who.data, made)}).", "success")
        return redirect(shown_at)
    return render_template("homework/assign.html", couple=couple, session=session, template=template,
                           module=get_library().get(template.module_slug), form=form,
                           flags=flags if confirming and not form.errors else [])


def _assigned_to(who: str, made: list) -> str:
    if who == "joint":
        return "jointly"
    if who.startswith("only:"):
        return f"to {made[0].partner.first_name} alone"
    return f"{len(made)} copies"


@bp.get("/homework/<int:assignment_id>")
def review(couple_id: int, assignment_id: int):
    """Read a submission; both partners' answers side by side when they did the same template."""
    couple = get_owned_couple(couple_id, current_user.id)
    assignment = get_assignment_of(couple.id, assignment_id)
    template = get_library().template(assignment.template_key) or abort(404)
    batch = batch_of(assignment)
    for item in batch:
        record("assignment.read", item)
    db.session.commit()
    forms = {item.id: ReviewForm(prefix=f"review-{item.id}") for item in batch}
    return render_template("homework/review.html", couple=couple, assignment=assignment, batch=batch,
                           template=template, forms=forms, today=utcnow().date())


@bp.post("/homework/<int:assignment_id>/review")
def mark_review(couple_id: int, assignment_id: int):
    """Mark a submission reviewed, with an optional comment."""
    couple = get_owned_couple(couple_id, current_user.id)
    assignment = get_assignment_of(couple.id, assignment_id)
    form = ReviewForm(prefix=f"review-{assignment.id}")
    if form.validate_on_submit():
        mark_reviewed(assignment, form.comment.data)
        db.session.commit()
        flash("Marked reviewed.", "success")
    return redirect(url_for("homework.review", couple_id=couple.id, assignment_id=assignment.id))


@bp.post("/flags/<int:flag_id>/acknowledge")
def acknowledge(couple_id: int, flag_id: int):
    """Acknowledge a safety flag (recorded in the audit log)."""
    couple = get_owned_couple(couple_id, current_user.id)
    acknowledge_flag(couple.id, flag_id, current_user.id)
    db.session.commit()
    flash("Safety flag acknowledged.", "info")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/couples/")
                    else url_for("couples.detail", couple_id=couple.id))


@bp.get("/links")
def links(couple_id: int):
    """Each partner's private link, to copy and send; issue, re-issue or revoke them."""
    couple = get_owned_couple(couple_id, current_user.id)
    record("partner_links.view", couple)
    db.session.commit()
    return render_template("homework/links.html", couple=couple, links=links_of(couple.partners))


@bp.post("/partners/<int:partner_id>/link")
def new_link(couple_id: int, partner_id: int):
    """Issue (or re-issue) a partner's private link; the old one stops working at once."""
    couple = get_owned_couple(couple_id, current_user.id)
    partner = partner_of(couple, partner_id)
    issue_link(partner)
    db.session.commit()
    flash(f"New link ready for {partner.first_name}. Any earlier link no longer works.", "success")
    return redirect(url_for("homework.links", couple_id=couple.id))


@bp.post("/partners/<int:partner_id>/link/revoke")
def revoke_link(couple_id: int, partner_id: int):
    """Revoke a partner's link and sign out any browser that opened it."""
    couple = get_owned_couple(couple_id, current_user.id)
    partner = partner_of(couple, partner_id)
    revoke_links(partner)
    db.session.commit()
    flash(f"{partner.first_name}'s link no longer works.", "info")
    return redirect(url_for("homework.links", couple_id=couple.id))


@bp.post("/partners/<int:partner_id>/passcode/clear")
def clear_passcode(couple_id: int, partner_id: int):
    """Clear a partner's forgotten passcode (audited); they may set a new one on their next visit."""
    couple = get_owned_couple(couple_id, current_user.id)
    partner = partner_of(couple, partner_id)
    clear_partner_passcode(partner)
    db.session.commit()
    flash(f"{partner.first_name}'s passcode is cleared. Their link opens without one until they set a new one.", "info")
    return redirect(url_for("homework.links", couple_id=couple.id))
