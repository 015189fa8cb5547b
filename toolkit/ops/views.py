"""/healthz, for a load balancer: can this process serve and store right now?"""
from flask import Blueprint, Response, current_app, request

from ..access import open_to_all
from .checks import failing_health_check
from .throttle import TokenBucket

bp = Blueprint("ops", __name__)


@bp.record_once
def _make_bucket(state) -> None:
    state.app.extensions["healthz_bucket"] = TokenBucket(state.app.config["HEALTHZ_PER_MINUTE"])


@bp.get("/healthz")
@open_to_all
def healthz():
    """200 "ok", or 503 with the failing check's name only; public, holds no data, throttled per address."""
    if not current_app.extensions["healthz_bucket"].allow(request.remote_addr or "-"):
        return Response("too many requests", 429, {"Retry-After": "60"}, mimetype="text/plain")
    failing = failing_health_check(current_app)
    if failing:
        return Response(failing, 503, mimetype="text/plain")
    return Response("ok", 200, mimetype="text/plain")
