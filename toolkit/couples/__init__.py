from flask import Blueprint

bp = Blueprint("couples", __name__)

from . import views  # noqa: E402,F401
