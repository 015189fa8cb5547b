"""Every model, imported in one place so migrations and create_all see them all."""
from .audit.models import AuditEvent  # noqa: F401
from .auth.models import LoginSession, Therapist  # noqa: F401
from .couples.models import Couple, Partner  # noqa: F401
