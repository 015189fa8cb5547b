"""Partner links: issue, re-issue, revoke, open; and the partner's browser session."""
import secrets
from datetime import timedelta

from argon2.exceptions import VerificationError
from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from ..audit.services import Throttle, record
from ..auth.models import BrowserSession, password_hasher
from ..auth.services import keep_alive
from ..couples.models import Partner
from ..extensions import db
from ..timeutil import utcnow
from ..tokens import hash_token
from .models import PartnerLink


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def link_url(link: PartnerLink) -> str:
    """The partner's address, built from the configured base URL, never from the request's Host."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/p/{link.token(_secret())}"


# Working links of some partners, oldest first (so the newest wins). Built once.
_LIVE_LINKS = (db.select(PartnerLink)
               .where(PartnerLink.partner_id.in_(bindparam("partner_ids", expanding=True)),
                      PartnerLink.revoked_at.is_(None), PartnerLink.expires_at > bindparam("now"))
               .order_by(PartnerLink.id))


def live_links(partners: list[Partner]) -> dict[int, PartnerLink]:
    """Each partner's working link, if any, in one query."""
    links = db.session.execute(_LIVE_LINKS, {"partner_ids": [p.id for p in partners], "now": utcnow()}).scalars()
    return {link.partner_id: link for link in links}


def links_of(partners: list[Partner]) -> list[tuple]:
    """(partner, working link or None, its address or None) for each partner, in order."""
    found = live_links(partners)
    return [(p, found.get(p.id), link_url(found[p.id]) if p.id in found else None) for p in partners]


def live_link(partner: Partner) -> PartnerLink | None:
    return live_links([partner]).get(partner.id)


def issue_link(partner: Partner) -> PartnerLink:
    """A new link for the partner; any earlier link stops working at once."""
    revoke_links(partner, audit=False)
    link = PartnerLink(partner_id=partner.id, nonce=secrets.token_hex(32),
                       expires_at=utcnow() + timedelta(days=current_app.config["PARTNER_LINK_DAYS"]))
    link.token_hash = hash_token(link.token(_secret()))
    db.session.add(link)
    db.session.flush()
    record("partner_link.issue", partner, object_type="partner")
    return link


def revoke_links(partner: Partner, *, audit: bool = True) -> None:
    """Stop every link of this partner and sign out every browser opened from them."""
    now = utcnow()
    links = db.session.execute(
        db.select(PartnerLink).where(PartnerLink.partner_id == partner.id, PartnerLink.revoked_at.is_(None))
    ).scalars().all()
    for link in links:
        link.revoked_at = now
    if links:
        db.session.execute(db.delete(BrowserSession).where(BrowserSession.link_id.in_([l.id for l in links])))
    if audit:
        record("partner_link.revoke", partner, object_type="partner")


def find_live_link(token: str) -> PartnerLink | None:
    link = db.session.execute(db.select(PartnerLink).filter_by(token_hash=hash_token(token))).scalar()
    return link if link and link.is_live(utcnow()) else None


def too_many_bad_links(ip: str | None) -> bool:
    """Guessing links is rate-limited per address, counted in the database (shared by all workers)."""
    bad_links = Throttle("partner_link.invalid", minutes=15)
    return bad_links.reached(current_app.config["PARTNER_LINK_FAILURES_PER_ADDRESS"], ip=ip)


def record_bad_link() -> None:
    record("partner_link.invalid", actor="anonymous")


def open_session(link: PartnerLink) -> str:
    """Exchange a live link for a browser session; returns the session's raw token (for the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(BrowserSession(token_hash=hash_token(token), link_id=link.id))
    record("partner_link.open", link.partner, object_type="partner", actor=f"partner:{link.partner_id}")
    return token


def _partner_session(token: str):
    """The condition for the partner's session of this token: a therapist's never matches."""
    return (BrowserSession.token_hash == hash_token(token)) & BrowserSession.link_id.is_not(None)


def load_partner(token: str | None) -> Partner | None:
    """The partner of a live browser session: the link still live, not idle too long, not too old.

    The absolute limit (PARTNER_SESSION_HOURS) ends even a session kept busy, so a browser left
    signed in on a shared computer does not stay open for good.
    """
    if not token:
        return None
    found = db.session.execute(
        db.select(BrowserSession).options(joinedload(BrowserSession.link)).where(_partner_session(token))
    ).scalar()
    if found is None or not found.link.is_live(utcnow()):
        return None
    cfg = current_app.config
    if not keep_alive(found, timedelta(minutes=cfg["PARTNER_IDLE_MINUTES"]), timedelta(hours=cfg["PARTNER_SESSION_HOURS"])):
        return None
    return found.link.partner


def close_session(token: str | None) -> None:
    if token:
        db.session.execute(db.delete(BrowserSession).where(_partner_session(token)))


# --- the partner's passcode and agreement ------------------------------------------------

def passcode_mode() -> str:
    """The practice's setting: "offered" (default), "required" or "off"."""
    return current_app.config["PARTNER_PASSCODE"]


def needs_passcode(partner: Partner) -> bool:
    """Whether a new browser must enter this partner's passcode before their page opens."""
    return passcode_mode() != "off" and partner.has_passcode


def should_ask_for_passcode(partner: Partner) -> bool:
    """Whether to offer (or, when required, insist on) setting a passcode now."""
    mode = passcode_mode()
    if mode == "off" or partner.has_passcode:
        return False
    return mode == "required" or partner.passcode_offered_at is None


def set_passcode(partner: Partner, passcode: str) -> None:
    partner.passcode_hash = password_hasher.hash(passcode)
    partner.passcode_offered_at = partner.passcode_offered_at or utcnow()
    record("partner.passcode_set", partner, object_type="partner", actor=f"partner:{partner.id}")


def decline_passcode(partner: Partner) -> None:
    partner.passcode_offered_at = utcnow()
    record("partner.passcode_declined", partner, object_type="partner", actor=f"partner:{partner.id}")


def clear_passcode(partner: Partner) -> None:
    """The therapist clears a forgotten passcode; the partner may set a new one on their next visit."""
    partner.passcode_hash = None
    partner.passcode_offered_at = None
    record("partner.passcode_clear", partner, object_type="partner")


def passcode_throttled(partner: Partner, ip: str | None) -> bool:
    """Too many wrong passcodes from this address, or from anywhere (a much higher ceiling).

    Counting per address first means someone else guessing cannot lock the partner out
    for long; refused tries are not counted, so waiting always ends the wait.
    """
    cfg = current_app.config
    failures = Throttle("partner.passcode_failed", cfg["PASSCODE_THROTTLE_MINUTES"])
    this_partner = {"object_type": "partner", "object_id": partner.id}
    # With no address to go by, every wrong try at this partner counts against the lower limit.
    from_here = this_partner if ip is None else {**this_partner, "ip": ip}
    return (failures.reached(cfg["PASSCODE_FAILURES_PER_PARTNER_AND_ADDRESS"], **from_here)
            or failures.reached(cfg["PASSCODE_FAILURES_PER_PARTNER"], **this_partner))


def check_passcode(partner: Partner, passcode: str | None) -> bool:
    """Whether the passcode is the partner's; a wrong one is recorded (it is what the throttle counts)."""
    try:
        if passcode and password_hasher.verify(partner.passcode_hash, passcode):
            return True
    except VerificationError:
        pass
    record("partner.passcode_failed", partner, object_type="partner", actor="anonymous")
    return False


def agree_to_policy(partner: Partner) -> None:
    partner.policy_agreed_at = utcnow()
    record("partner.policy_agree", partner, object_type="partner", actor=f"partner:{partner.id}")
