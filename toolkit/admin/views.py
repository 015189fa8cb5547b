"""The practice admin's pages: therapists, reassigning couples, the audit log. No clinical content.

Every page here answers 404 to anyone but a signed-in admin, checked once for the blueprint.
An admin's own couples are theirs like any therapist's; other therapists' records stay closed.
"""
import click
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..audit.services import record, verify_chain
from ..auth import mfa
from ..auth.models import Therapist
from ..auth.services import create_therapist, issue_account_token, password_problem, set_active
from ..extensions import db
from . import services
from .forms import AuditFilterForm, NewTherapistForm, ReassignForm

# cli_group=None: `flask --app toolkit create-admin`, beside the app's other commands.
bp = Blueprint("admin", __name__, url_prefix="/admin", cli_group=None)


@bp.before_request
def require_admin():
    """Admins only; everyone else is told nothing is here."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        abort(404)
    return None


def _account(therapist_id: int) -> Therapist:
    return db.session.get(Therapist, therapist_id) or abort(404)


def _account_link(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}{url_for('auth.set_password', token=token)}"


@bp.get("/")
def index():
    """Every account of the practice."""
    record("admin.view_accounts")
    db.session.commit()
    return render_template("admin/index.html", accounts=services.therapists())


@bp.get("/audit/verify")
def verify_audit():
    """Check the whole audit chain now (it reads every row, so it runs when asked, not on every visit)."""
    chain = verify_chain()
    record("admin.verify_audit", detail="intact" if chain.ok else f"broken at {chain.first_bad_id}")
    db.session.commit()
    return render_template("admin/verify.html", chain=chain)


@bp.route("/therapists/new", methods=["GET", "POST"])
def new_therapist():
    """Add an account; the new therapist sets their password (and second factor) from an invitation link."""
    form = NewTherapistForm()
    if form.validate_on_submit():
        try:
            therapist = create_therapist(form.email.data, form.name.data, None, credentials=form.credentials.data or None,
                                         role=form.role.data)
        except ValueError as error:
            form.email.errors = [str(error)]
        else:
            token = issue_account_token(therapist, "invite")
            db.session.commit()
            return render_template("admin/account_link.html", therapist=therapist, link=_account_link(token),
                                   invite=True)
    return render_template("admin/new_therapist.html", form=form)


@bp.post("/therapists/<int:therapist_id>/active")
def toggle_active(therapist_id: int):
    """Deactivate an account (its sessions end at once) or reactivate it."""
    therapist = _account(therapist_id)
    if therapist.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
    else:
        set_active(therapist, not therapist.is_active_account)
        db.session.commit()
        flash(f"{therapist.name} is {'active again' if therapist.is_active_account else 'deactivated and signed out'}.",
              "info")
    return redirect(url_for("admin.index"))


@bp.post("/therapists/<int:therapist_id>/reset-mfa")
def reset_mfa(therapist_id: int):
    """Clear a lost second factor; the account sets up a new one at its next sign-in."""
    therapist = _account(therapist_id)
    mfa.reset_mfa(therapist)
    db.session.commit()
    flash(f"{therapist.name}'s second factor is reset. They set up a new one at their next sign-in.", "info")
    return redirect(url_for("admin.index"))


@bp.post("/therapists/<int:therapist_id>/reset-password")
def reset_password(therapist_id: int):
    """A one-time link to choose a new password, to pass on to the therapist privately."""
    therapist = _account(therapist_id)
    token = issue_account_token(therapist, "reset")
    db.session.commit()
    return render_template("admin/account_link.html", therapist=therapist, link=_account_link(token), invite=False)


def _reassign_form() -> ReassignForm:
    form = ReassignForm()
    choices = [(t.id, f"{t.name} ({count} couple{'s' if count != 1 else ''})") for t, count in services.therapists()]
    form.from_id.choices = form.to_id.choices = choices
    return form


@bp.route("/reassign", methods=["GET", "POST"])
def reassign():
    """Move a departing therapist's couples to another therapist; partner links keep working."""
    form = _reassign_form()
    if form.validate_on_submit():
        source, target = _account(form.from_id.data), _account(form.to_id.data)
        moved = services.reassign_couples(source, target)
        db.session.commit()
        flash(f"Moved {moved} couple{'s' if moved != 1 else ''} from {source.name} to {target.name}.", "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/reassign.html", form=form)


@bp.get("/audit")
def audit():
    """Who did what to which record, and when; filterable, and as CSV. No clinical content."""
    form = AuditFilterForm(request.args)
    filters = form.data if form.validate() else {}
    record("admin.view_audit", detail=request.query_string.decode()[:200] or None)
    db.session.commit()
    if request.args.get("format") == "csv":
        response = Response(services.audit_csv(filters), mimetype="text/csv")
        response.headers["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
    return render_template("admin/audit.html", form=form, events=services.audit_events(filters),
                           shown_detail=services.shown_detail, limit=services.AUDIT_PAGE)


@bp.cli.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Full name")
@click.password_option("--password", prompt="Password (8 to 128 characters)")
def create_admin(email, name, password):
    """Create a practice admin account (the password is asked for and never echoed)."""
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(problem)
    try:
        admin = create_therapist(email, name, password, role="admin")
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created the admin {admin.email}. Sign in at /login; you set up the second factor then.")
