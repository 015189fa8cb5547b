"""Each partner's private link. The browsers opened from it are auth.models.BrowserSession rows."""
import hashlib
import hmac
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import BrowserSession
from ..extensions import db
from ..timeutil import utcnow


class PartnerLink(db.Model):
    """A link for one partner. The token itself is never stored.

    The token is an HMAC of a random 256-bit nonce under the app's secret key: the
    database holds the nonce and the token's SHA-256, so a copy of the database alone
    opens no link, while the therapist can still be shown the link again (to copy it
    or print it as a QR code) without re-issuing it.
    """

    __tablename__ = "partner_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    partner = relationship("Partner", lazy="joined")

    def token(self, secret_key: str) -> str:
        digest = hmac.new(secret_key.encode(), f"partner-link:{self.nonce}".encode(), hashlib.sha256)
        return digest.hexdigest()

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


# The former name, for code not yet moved to BrowserSession. It names the whole table: a
# partner's sessions are the rows with a link_id.
PartnerSession = BrowserSession
