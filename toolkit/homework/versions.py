"""The form each assignment was given and answered on, kept with it.

A record must not depend on today's module files: a module may change its questions, break or
be removed after a partner answered. Each assignment points at the form as it was assigned
(stored once per content digest), and pages read its answers through that form.
"""
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..library import get_library
from ..library.models import HomeworkTemplate, Module
from .models import Assignment, FormVersion

# How the kept form stands against the library today.
CURRENT, CHANGED, GONE = None, "changed", "gone"


@dataclass(frozen=True)
class AnsweredForm:
    """The form of one assignment, its module today (None when gone) and whether the module changed."""

    template: HomeworkTemplate
    module: Module | None
    since: str | None = CURRENT

    @property
    def notice(self) -> str | None:
        """What the therapist should know when today's module no longer matches what was answered."""
        if self.since == CHANGED:
            return ("The module has changed since this homework was assigned. The questions are shown "
                    "as the partner was asked them.")
        if self.since == GONE:
            return ("The module this homework came from is no longer in the library (or its file cannot be "
                    "read). The answers are shown with the questions as they were asked.")
        return None


def keep_form(template: HomeworkTemplate) -> str:
    """Store the form's definition once (by digest) and return the digest to keep on an assignment."""
    digest = template.digest
    if db.session.get(FormVersion, digest) is None:
        try:
            with db.session.begin_nested():  # another request may store the same form at the same moment
                db.session.add(FormVersion(digest=digest, template_key=template.key, definition=template.definition()))
        except IntegrityError:
            pass
    return digest


def form_of(assignment: Assignment) -> AnsweredForm:
    """The form an assignment is answered on: the kept one, or today's when they are the same."""
    library = get_library()
    today = library.template(assignment.template_key)
    module = library.get(assignment.module_slug)
    if assignment.form_digest is None:  # assigned before forms were kept: keep today's now, while it reads
        if today is None:
            return AnsweredForm(_bare_form(assignment), None, GONE)
        assignment.form_digest = keep_form(today)
        return AnsweredForm(today, module)
    if today is not None and today.digest == assignment.form_digest:
        return AnsweredForm(today, module)
    kept = db.session.get(FormVersion, assignment.form_digest)
    return AnsweredForm(HomeworkTemplate.from_definition(kept.definition), module, GONE if today is None else CHANGED)


def _bare_form(assignment: Assignment) -> HomeworkTemplate:
    """A form without questions, for an assignment whose form was never kept and whose module is gone:
    the review page then lists every stored answer under its field's name, so nothing is hidden."""
    return HomeworkTemplate(id=assignment.template_id, title=assignment.title, instructions="", frequency="once",
                            who="joint" if assignment.is_joint else "each", fields=(),
                            module_slug=assignment.module_slug)
