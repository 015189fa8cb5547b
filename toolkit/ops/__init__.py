"""Running the app: the environment checked (doctor, start-up, /healthz) and failures said plainly."""
from flask import Flask


def init_app(app: Flask) -> None:
    """Register /healthz and the database-unavailable page; log what the cheap start-up checks find."""
    from . import errors, views
    from .checks import startup_problems

    app.register_blueprint(views.bp)
    errors.init_app(app)
    for finding in startup_problems(app):
        app.logger.error("toolkit cannot work as configured:\n%s", finding.plain())
