"""How a token handed to a browser or put in a link is stored: as its hash, never itself."""
import hashlib


def hash_token(token: str) -> str:
    """The token's SHA-256, the form in which it is stored and looked up.

    Unkeyed is enough: every token carries 256 bits nobody can guess, so a copy of the database
    opens no session and no link.
    """
    return hashlib.sha256(token.encode()).hexdigest()
