"""How much of their homework each partner has done."""
from datetime import date

from ..couples.models import Couple
from .models import HomeworkRow


def completion_by_partner(couple: Couple, assignments: list[HomeworkRow], today: date) -> list[tuple]:
    """Per partner: homework done, out of homework done or already due (their own and joint)."""
    rows = []
    for partner in couple.partners:
        mine = [a for a in assignments if a.partner_id in (partner.id, None)]
        counted = [a for a in mine if a.is_done or a.due_on < today]
        rows.append((partner, sum(1 for a in counted if a.is_done), len(counted)))
    return rows
