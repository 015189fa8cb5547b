"""Signing in and out."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, login_manager
from .forms import LoginForm
from .services import authenticate, end_session, load_session, start_session

bp = Blueprint("auth", __name__)

FAILED_LOGIN = "That email and password did not work, or there have been too many tries. Wait a few minutes and try again."

login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.session_protection = None  # our server-side sessions do this job


@login_manager.user_loader
def load_user(token: str):
    return load_session(token)


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        therapist = authenticate(form.email.data, form.password.data, request.remote_addr)
        if therapist is None:
            db.session.commit()  # keep the failure: the throttle counts it
            flash(FAILED_LOGIN, "error")
            return render_template("auth/login.html", form=form), 401
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session at sign-in: nothing carried over
        start_session(therapist)
        login_user(therapist)
        db.session.commit()
        return redirect(next_url)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """End the login session on the server, then clear the cookie."""
    end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
