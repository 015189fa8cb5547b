"""Every model, imported in one place so migrations and create_all see them all."""
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import BrowserSession, Therapist  # noqa: F401
from .couples.models import Couple, Partner  # noqa: F401
from .forms import SubmissionKey  # noqa: F401
from .homework.models import Assignment, SafetyFlag  # noqa: F401
from .measures.models import Measure  # noqa: F401
from .notes.models import Addendum, SessionNote  # noqa: F401
from .partners.models import PartnerLink  # noqa: F401
from .sessions.models import PlanItem, TherapySession  # noqa: F401
