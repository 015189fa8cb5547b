"""The therapist's couples: list, add, open, edit, archive."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit.services import events_for_couple, record
from ..extensions import db
from ..timeutil import utcnow
from .forms import CoupleForm, NewCoupleForm
from .overview import couple_overview
from .services import couples_of, create_couple, form_data, set_archived, update_couple

bp = Blueprint("couples", __name__)


# A couple's page opens on what is recent; "Show all" (?all=1) lists everything.
HOMEWORK_ROWS = 10  # the newest due
PAST_SESSION_ROWS = 5  # the most recent



@bp.get("/couples/")
def index():
    """The therapist's couples."""
    archived = request.args.get("archived") == "1"
    return render_template("couples/index.html", couples=couples_of(current_user.id, archived=archived),
                           archived=archived)


@bp.route("/couples/new", methods=["GET", "POST"])
def new():
    """Add a couple with both partners (once, however often the form is sent)."""
    form = NewCoupleForm()
    if form.validate_on_submit():
        if (earlier := form.sent_before()) is not None:
            return earlier
        couple = create_couple(current_user.id, form.data)
        shown_at = form.created(url_for("couples.detail", couple_id=couple.id))
        db.session.commit()
        flash(f"Added {couple.name}.", "success")
        return redirect(shown_at)
    return render_template("couples/form.html", form=form, couple=None)


@bp.get("/couples/<int:couple_id>")
def detail():
    """One couple's page."""
    couple = g.couple
    now = utcnow()
    overview = couple_overview(couple, now)
    record("couple.view", couple)
    access = events_for_couple(couple)  # read in the same transaction, this very view included
    db.session.commit()
    show_all = request.args.get("all") == "1"
    return render_template("couples/detail.html", couple=couple, o=overview, access=access, today=now.date(), now=now,
                           homework_rows=None if show_all else HOMEWORK_ROWS,
                           past_rows=None if show_all else PAST_SESSION_ROWS)


@bp.route("/couples/<int:couple_id>/edit", methods=["GET", "POST"])
def edit():
    """Change a couple's details."""
    couple = g.couple
    form = CoupleForm(data=form_data(couple)) if request.method == "GET" else CoupleForm()
    if form.validate_on_submit():
        update_couple(couple, form.data)
        db.session.commit()
        flash("Saved.", "success")
        return redirect(url_for("couples.detail", couple_id=couple.id))
    if request.method == "GET":
        record("couple.edit_view", couple)  # the form shows the therapist's private notes
        db.session.commit()
    return render_template("couples/form.html", form=form, couple=couple)


@bp.post("/couples/<int:couple_id>/archive")
def archive():
    """Archive a couple: hidden from the list, kept in the record."""
    couple = g.couple
    set_archived(couple, True)
    db.session.commit()
    flash(f"Archived {couple.name}.", "info")
    return redirect(url_for("couples.index"))


@bp.post("/couples/<int:couple_id>/unarchive")
def unarchive():
    """Bring an archived couple back to the active list."""
    couple = g.couple
    set_archived(couple, False)
    db.session.commit()
    flash(f"{couple.name} is active again.", "info")
    return redirect(url_for("couples.detail", couple_id=couple.id))
