"""The therapist's side of homework: assign, review, safety flags, partner links."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..audit.services import record
from ..couples.services import partner_of
from ..extensions import db
from ..library import get_library
from ..partners.services import clear_passcode as clear_partner_passcode
from ..partners.services import issue_link, links_of, revoke_links
from ..sessions.services import get_session_of, require_unsigned
from ..timeutil import utcnow
from .display import due, status_badge
from .forms import AssignForm, ReviewForm
from .services import (
    acknowledge_flag,
    assign,
    batch_of,
    confirm_joint_work_safe,
    default_due_date,
    get_assignment_of,
    mark_reviewed,
    open_flags,
    who_choices,
)
from .review import review_table
from .versions import form_of

bp = Blueprint("homework", __name__, url_prefix="/couples/<int:couple_id>")
bp.add_app_template_global(due)
bp.add_app_template_global(status_badge)



@bp.route("/sessions/<int:session_id>/assign", methods=["GET", "POST"])
def assign_homework(session_id: int):
    """Assign one homework template from a module, to each partner or to the couple."""
    couple = g.couple
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
def review(assignment_id: int):
    """Read a submission; both partners' answers side by side when they did the same template."""
    couple = g.couple
    assignment = get_assignment_of(couple.id, assignment_id)
    answered = form_of(assignment)
    batch = batch_of(assignment)
    for item in batch:
        record("assignment.read", item)
    db.session.commit()
    forms = {item.id: ReviewForm(prefix=f"review-{item.id}") for item in batch}
    return render_template("homework/review.html", couple=couple, assignment=assignment, batch=batch,
                           template=answered.template, table=review_table(answered.template, batch, couple),
                           changed=answered.notice, forms=forms,
                           today=utcnow().date())


@bp.post("/homework/<int:assignment_id>/review")
def mark_review(assignment_id: int):
    """Mark a submission reviewed, with an optional comment."""
    couple = g.couple
    assignment = get_assignment_of(couple.id, assignment_id)
    form = ReviewForm(prefix=f"review-{assignment.id}")
    if form.validate_on_submit():
        mark_reviewed(assignment, form.comment.data)
        db.session.commit()
        flash("Marked reviewed.", "success")
    return redirect(url_for("homework.review", couple_id=couple.id, assignment_id=assignment.id))


@bp.post("/flags/<int:flag_id>/acknowledge")
def acknowledge(flag_id: int):
    """Acknowledge a safety flag (recorded in the audit log)."""
    couple = g.couple
    acknowledge_flag(couple.id, flag_id, current_user.id)
    db.session.commit()
    flash("Safety flag acknowledged.", "info")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/couples/")
                    else url_for("couples.detail", couple_id=couple.id))


@bp.get("/links")
def links():
    """Each partner's private link, to copy and send; issue, re-issue or revoke them."""
    couple = g.couple
    record("partner_links.view", couple)
    db.session.commit()
    return render_template("homework/links.html", couple=couple, links=links_of(couple.partners))


@bp.post("/partners/<int:partner_id>/link")
def new_link(partner_id: int):
    """Issue (or re-issue) a partner's private link; the old one stops working at once."""
    couple = g.couple
    partner = partner_of(couple, partner_id)
    issue_link(partner)
    db.session.commit()
    flash(f"New link ready for {partner.first_name}. Any earlier link no longer works.", "success")
    return redirect(url_for("homework.links", couple_id=couple.id))


@bp.post("/partners/<int:partner_id>/link/revoke")
def revoke_link(partner_id: int):
    """Revoke a partner's link and sign out any browser that opened it."""
    couple = g.couple
    partner = partner_of(couple, partner_id)
    revoke_links(partner)
    db.session.commit()
    flash(f"{partner.first_name}'s link no longer works.", "info")
    return redirect(url_for("homework.links", couple_id=couple.id))


@bp.post("/partners/<int:partner_id>/passcode/clear")
def clear_passcode(partner_id: int):
    """Clear a partner's forgotten passcode (audited); they may set a new one on their next visit."""
    couple = g.couple
    partner = partner_of(couple, partner_id)
    clear_partner_passcode(partner)
    db.session.commit()
    flash(f"{partner.first_name}'s passcode is cleared. Their link opens without one until they set a new one.", "info")
    return redirect(url_for("homework.links", couple_id=couple.id))
