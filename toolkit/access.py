"""Who may see what, in one place.

- One login guard: every page is a signed-in therapist's unless its view is marked
  `open_to_all` or it belongs to a partner's area (which has its own guard, partners/views.py).
- The couple of a request: every `/couples/<couple_id>/…` page gets `g.couple`, loaded once and
  only if the signed-in therapist owns it (404 otherwise); views never see the raw id.
- Isolation as a query rule: while a request runs for a therapist (or a partner), every ORM
  query of a couple's records is limited to that therapist's couples (or that partner's
  couple), whatever the query says. It stands behind the per-view checks, so a query written
  without a filter still returns nothing of anyone else's.
"""
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from .couples.models import Couple, Partner
from .couples.services import get_owned_couple
from .homework.models import Assignment, SafetyFlag
from .measures.models import Measure
from .notes.models import Addendum, SessionNote
from .partners.models import PartnerLink
from .sessions.models import PlanItem, TherapySession

# Areas with a guard of their own: a partner's pages (their private link's session), and the
# admin pages (which need an admin, and work across the practice's therapists).
PARTNER_AREAS = frozenset({"partner", "partner_link", "partner_public"})
OWN_GUARD_AREAS = PARTNER_AREAS | {"admin"}


def open_to_all(view):
    """Mark a view that needs no signed-in therapist (sign-in itself, the health check)."""
    view.open_to_all = True
    return view


@dataclass(frozen=True)
class Scope:
    """Whose records a request may read: a therapist's couples, or one partner's couple."""

    therapist_id: int | None = None
    couple_id: int | None = None

    def couple_rule(self):
        """Which couples are in scope, as a condition on the couples table."""
        if self.couple_id is not None:
            return Couple.id == self.couple_id
        return Couple.therapist_id == self.therapist_id

    def couple_ids(self):
        """The ids of the couples in scope: a subquery (one value for a partner)."""
        if self.couple_id is not None:
            return [self.couple_id]
        couples = Couple.__table__.c
        return select(couples.id).where(couples.therapist_id == self.therapist_id).scalar_subquery()


def limit_to_partner(partner: Partner) -> None:
    """From here on, this request reads nothing but the partner's own couple."""
    g.access_scope = Scope(couple_id=partner.couple_id)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_take_couple_id)
    app.before_request(_therapist_pages)
    # Session is a class shared by every app in the process (tests make many): listen once.
    if not event.contains(Session, "do_orm_execute", _limit_to_scope):
        event.listen(Session, "do_orm_execute", _limit_to_scope)


def _take_couple_id(endpoint: str | None, values: dict | None) -> None:
    if values and "couple_id" in values and request.blueprint not in PARTNER_AREAS:
        g.couple_id = values.pop("couple_id")


def _therapist_pages():
    """Sign-in for every therapist page; then the request's scope and its couple."""
    if request.blueprint in PARTNER_AREAS or _is_open(request.endpoint):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if request.blueprint != "admin":
        g.access_scope = Scope(therapist_id=current_user.id)
    if "couple_id" in g:
        g.couple = get_owned_couple(g.couple_id, current_user.id)
    return None


def _is_open(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return view is None or endpoint == "static" or getattr(view, "open_to_all", False)



def _scope() -> Scope | None:
    return g.get("access_scope") if has_request_context() else None


def _limit_to_scope(state: ORMExecuteState) -> None:
    """Add the scope's criteria to every ORM select (the second wall behind the views' checks)."""
    scope = _scope()
    if scope is None or not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    # The subqueries name tables, not mapped classes: the criteria must not apply to themselves.
    couples = scope.couple_ids()
    sessions = _ids_of(TherapySession, "couple_id", couples)
    notes = _ids_of(SessionNote, "session_id", sessions)
    partners = _ids_of(Partner, "couple_id", couples)
    criteria = [
        (Couple, scope.couple_rule()),
        *((model, model.couple_id.in_(couples)) for model in (Partner, Assignment, SafetyFlag, Measure, TherapySession)),
        (PlanItem, PlanItem.session_id.in_(sessions)),
        (SessionNote, SessionNote.session_id.in_(sessions)),
        (Addendum, Addendum.note_id.in_(notes)),
        (PartnerLink, PartnerLink.partner_id.in_(partners)),
    ]
    state.statement = state.statement.options(
        *(with_loader_criteria(model, where, include_aliases=True) for model, where in criteria))


def _ids_of(model, column: str, within):
    table = model.__table__.c
    return select(table.id).where(table[column].in_(within)).scalar_subquery()


# Every model holding a couple's records is named above; tests/security/test_isolation_rule.py
# fails when a model with a couple_id, session_id, note_id or partner_id is added and not named.
SCOPED_MODELS = (Couple, Partner, Assignment, SafetyFlag, Measure, TherapySession, PlanItem, SessionNote, Addendum,
                 PartnerLink)
