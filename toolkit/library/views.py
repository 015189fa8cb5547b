"""The library pages: browse, search, filter, and read one module."""
from flask import Blueprint, abort, render_template, request

from . import get_library
from .forms import form_class
from .models import STAGES, THEMES
from .services import search

bp = Blueprint("library", __name__, url_prefix="/library")



@bp.get("/")
def index():
    """All modules, with search and filters by theme and stage."""
    query = request.args.get("q", "").strip()[:200]
    theme = request.args.get("theme", "") if request.args.get("theme") in THEMES else ""
    stage = request.args.get("stage", "") if request.args.get("stage") in STAGES else ""
    library = get_library()
    modules = search(library, query, theme, stage)
    return render_template("library/index.html", modules=modules, query=query, theme=theme, stage=stage,
                           themes=THEMES, stages=STAGES, total=len(library))


@bp.get("/<slug>")
def detail(slug: str):
    """One module: the client handout, the facilitator guide and each homework form."""
    library = get_library()
    module = library.get(slug) or abort(404)
    forms = [(template, form_class(template)(meta={"csrf": False}, formdata=None)) for template in module.homework]
    related = [library.get(s) for s in module.related if library.get(s)]
    return render_template("library/detail.html", module=module, forms=forms, related=related)
