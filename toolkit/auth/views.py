"""Signing in (password, then the second factor), signing out, and the account's own page."""
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from ..access import open_to_all
from ..audit.services import record
from ..extensions import db, login_manager
from ..timeutil import utcnow
from . import mfa
from .forms import ChangePasswordForm, CodeForm, EnrolForm, LoginForm, NewPasswordForm
from .models import Therapist
from .services import (
    authenticate,
    change_password,
    end_session,
    find_account_token,
    is_throttled,
    load_session,
    record_failure,
    set_password_from_token,
    start_session,
)

bp = Blueprint("auth", __name__)

FAILED_LOGIN = "That email and password did not work, or there have been too many tries. Wait a few minutes and try again."
FAILED_CODE = "That code did not work, or there have been too many tries. Check the time on your phone and try again."
PENDING_KEY = "sign_in_pending"  # between the password and the second factor
PENDING_MINUTES = 10

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


def _sign_in(therapist: Therapist, next_url: str):
    """The account is proven: a fresh session, nothing carried over from before."""
    session.clear()
    start_session(therapist)
    login_user(therapist)
    db.session.commit()
    return redirect(next_url)


def _pending() -> tuple[Therapist, dict] | None:
    """The account whose password was right, waiting for its second factor (for a few minutes)."""
    pending = session.get(PENDING_KEY)
    if not pending or utcnow() - datetime.fromisoformat(pending["at"]) > timedelta(minutes=PENDING_MINUTES):
        session.pop(PENDING_KEY, None)
        return None
    therapist = db.session.get(Therapist, pending["id"])
    if therapist is None or not therapist.is_active:
        return None
    return therapist, pending


@bp.route("/login", methods=["GET", "POST"])
@open_to_all
def login():
    """Sign in with email and password; then the second factor, or enrolling one."""
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
        if not therapist.has_mfa and not mfa.mfa_required(therapist):
            return _sign_in(therapist, next_url)
        session.clear()
        session[PENDING_KEY] = {"id": therapist.id, "at": utcnow().isoformat(), "next": next_url}
        db.session.commit()
        return redirect(url_for("auth.second_factor" if therapist.has_mfa else "auth.enrol"))
    return render_template("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
@open_to_all
def second_factor():
    """The code from the authenticator app, or a recovery code."""
    found = _pending()
    if found is None or not found[0].has_mfa:
        return redirect(url_for("auth.login"))
    therapist, pending = found
    form = CodeForm()
    if form.validate_on_submit():
        if is_throttled(therapist.email, request.remote_addr):
            record("login.refused", subject=therapist.email, detail="throttled", actor="anonymous")
        elif mfa.check_totp(therapist, form.code.data) or mfa.use_recovery_code(therapist, form.code.data):
            return _sign_in(therapist, pending["next"])
        else:
            record_failure(therapist.email, "wrong code")
        db.session.commit()
        flash(FAILED_CODE, "error")
        return render_template("auth/code.html", form=form), 401
    return render_template("auth/code.html", form=form)


@bp.route("/login/enrol", methods=["GET", "POST"])
@open_to_all
def enrol():
    """Set up the second factor at the first sign-in: scan the code, type a code to prove it works."""
    found = _pending()
    if found is None or found[0].has_mfa:
        return redirect(url_for("auth.login"))
    therapist, pending = found
    if "secret" not in pending:
        pending["secret"] = mfa.seal(mfa.new_secret())  # in the signed cookie, encrypted
        session[PENDING_KEY] = pending
    secret = mfa.unseal(pending["secret"]) or abort(400)
    form = EnrolForm()
    if form.validate_on_submit():
        codes = mfa.enrol(therapist, secret, form.code.data)
        if codes is not None:
            session.clear()
            start_session(therapist)
            login_user(therapist)
            db.session.commit()
            return render_template("auth/recovery_codes.html", codes=codes, next_url=pending["next"])
        form.code.errors = ["That code did not match. Type the code your app shows now."]
    return render_template("auth/enrol.html", form=form, qr=mfa.enrolment_qr(therapist, secret),
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)))


@bp.post("/logout")
def logout():
    """End the login session on the server, then clear the cookie."""
    record("logout", current_user._get_current_object(), object_type="therapist")
    end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    """The signed-in therapist's own account: the second factor and the password."""
    form = ChangePasswordForm()
    form.email_for_check = current_user.email
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors = ["That is not your current password."]
        else:
            change_password(current_user, form.password.data, keep_session=current_user.session_token)
            db.session.commit()
            flash("Your password is changed. Every other browser signed in to your account is signed out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, codes_left=mfa.recovery_codes_left(current_user),
                           require_mfa=mfa.mfa_required(current_user))


@bp.post("/account/recovery-codes")
def renew_recovery_codes():
    """New recovery codes (the old ones stop working), after a code from the authenticator."""
    form = CodeForm()
    if form.validate_on_submit() and current_user.has_mfa and mfa.check_totp(current_user, form.code.data):
        codes = mfa.new_recovery_codes(current_user)
        db.session.commit()
        return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("auth.account"))
    flash("That code did not work; your recovery codes are unchanged.", "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/set-password/<token>", methods=["GET", "POST"])
@open_to_all
def set_password(token: str):
    """An invitation or reset link: choose a password, then sign in (and set up the second factor)."""
    found = find_account_token(token)
    if found is None:
        return render_template("auth/link_unavailable.html"), 404
    form = NewPasswordForm()
    form.email_for_check = found.therapist.email
    if form.validate_on_submit():
        set_password_from_token(found, form.password.data)
        db.session.commit()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, therapist=found.therapist,
                           invite=found.purpose == "invite",
                           mfa=current_app.config["REQUIRE_MFA"] and not found.therapist.mfa_exempt)
