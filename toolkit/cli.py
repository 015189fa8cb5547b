"""Command-line tasks: accounts, the demo practice, checks and renders."""
import click
from flask import Flask
from flask.cli import with_appcontext

from .extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_therapist)
    app.cli.add_command(seed_demo)
    app.cli.add_command(check_handouts)
    app.cli.add_command(render_handout)
    app.cli.add_command(render_packet)
    app.cli.add_command(backup)
    app.cli.add_command(verify_audit)
    app.cli.add_command(doctor)


@click.command("create-therapist")
@click.option("--email", prompt=True)
@click.option("--name", prompt="Full name")
@click.option("--credentials", default="", help="e.g. LMFT")
@click.option("--practice", default="", help="The practice's name, printed on handouts")
@click.password_option("--password", prompt="Password (8 to 128 characters)")
def create_therapist(email, name, credentials, practice, password):
    """Create a therapist account (the password is asked for and never echoed)."""
    from .auth.services import create_therapist as create

    try:
        therapist = create(email, name, password, credentials=credentials or None, practice_name=practice or None)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {therapist.email}. Sign in at /login.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no therapists yet")
def seed_demo(if_empty):
    """Load the demo practice (a demo therapist and three couples)."""
    from .demo import DEMO_ADMIN_EMAIL, DEMO_EMAIL, DEMO_PASSWORD, database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("The database already has data; the demo practice was not loaded.")
        return
    load_demo()
    db.session.commit()
    click.echo(f"Loaded the demo practice. Sign in as {DEMO_EMAIL} (or the admin, {DEMO_ADMIN_EMAIL}) "
               f"with password {DEMO_PASSWORD}")


@click.command("check-handouts")
@with_appcontext
def check_handouts():
    """Check the built-in and practice modules; print every problem and exit 1 if any."""
    from pathlib import Path

    from flask import current_app

    from .library.loader import check_library

    builtin = Path(current_app.config["HANDOUTS_DIR"])
    practice = Path(current_app.config.get("PRACTICE_HANDOUTS_DIR") or Path(current_app.instance_path) / "handouts")
    problems = check_library(builtin, practice)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)
    click.echo(f"All modules are valid ({builtin}{', ' + str(practice) if practice.is_dir() else ''}).")


@click.command("render-handout")
@click.argument("slug")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="The PDF file to write")
@click.option("--large-print", is_flag=True, help="18 pt sans-serif, for clients who need it")
@click.option("--paper", type=click.Choice(["Letter", "A4"], case_sensitive=False), default="Letter", show_default=True)
@with_appcontext
def render_handout(slug, output, large_print, paper):
    """Print a module's client handout to a PDF, for no couple in particular."""
    from datetime import date
    from pathlib import Path

    from flask import current_app

    from .pdf.documents import PrintContext, handout_pdf

    module = current_app.extensions["library"].get(slug)
    if module is None:
        raise click.ClickException(f"No module has the slug {slug!r}; `flask --app toolkit check-handouts` lists the library.")
    # No couple and no therapist: the handout shows the practice and the date only, and not the
    # unconfigured PRACTICE_NAME default, which would read as a placeholder on paper.
    practice = current_app.config.get("PRACTICE_NAME") or ""
    ctx = PrintContext(practice_name="" if practice == "Your practice" else practice, date=date.today(),
                       large_print=large_print, paper="A4" if paper.upper() == "A4" else "Letter")
    Path(output).write_bytes(handout_pdf(module, ctx))
    click.echo(f"Wrote {output}.")


@click.command("render-packet")
@click.argument("session_id", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True), help="The PDF file to write")
@click.option("--large-print", is_flag=True, help="18 pt sans-serif, for clients who need it")
@with_appcontext
def render_packet(session_id, output, large_print):
    """Write a session's packet (cover, handouts, worksheets) to a PDF file."""
    from .auth.models import Therapist
    from .couples.models import Couple
    from .printing.services import session_packet
    from .sessions.models import TherapySession

    session = db.session.get(TherapySession, session_id)
    if session is None:
        raise click.ClickException(f"There is no session {session_id}.")
    couple = db.session.get(Couple, session.couple_id)
    therapist = db.session.get(Therapist, couple.therapist_id)
    data, _ = session_packet(session, couple, therapist, large_print)
    with open(output, "wb") as handle:
        handle.write(data)
    click.echo(f"Wrote {output} ({len(data) // 1024} KB): session {session.number} for {couple.name}.")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup(target):
    """Copy the live SQLite database to TARGET, safely, while the app keeps running."""
    from pathlib import Path

    from flask import current_app

    from .backup import BackupError, backup_sqlite, sqlite_path

    try:
        pages = backup_sqlite(sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"]), Path(target))
    except (ValueError, FileExistsError, BackupError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {pages} pages to {target}; integrity check passed.")


@click.command("doctor")
@with_appcontext
def doctor():
    """Check the instance folder, database, migrations, disk space and keys; exit 1 naming each problem."""
    from flask import current_app

    from .ops.checks import doctor as run_checks

    findings = run_checks(current_app)
    for finding in findings:
        click.echo(finding.plain())
    problems = sum(not finding.ok for finding in findings)
    if problems:
        click.echo(f"\n{problems} problem(s) found: toolkit will not work properly until they are fixed.")
        raise SystemExit(1)
    click.echo("\nNo problems found.")


@click.command("verify-audit")
@with_appcontext
def verify_audit():
    """Check the whole audit log: exit 0 when intact, 1 naming the first bad row on any edit, removal or cut."""
    from .audit.services import verify_chain

    result = verify_chain()
    if not result.ok:
        where = f"row {result.first_bad_id}" if result.first_bad_id is not None else "the log"
        click.echo(f"The audit log is NOT intact: {where}: {result.problem} ({result.checked} row(s) checked sound).",
                   err=True)
        raise SystemExit(1)
    before = f", {result.before_keying} of them from before keying (checked by the old rule)" if result.before_keying else ""
    # The newest hash, for a record kept elsewhere: a whole older database restored would verify too.
    newest = f"; newest hash {result.last_hash[:16]}" if result.last_hash else ""
    click.echo(f"The audit log is intact: {result.checked} row(s) counted, chained and sealed{before}{newest}.")
