"""The check-in's private safety questions: a short screen written for this toolkit.

Not a licensed instrument and not a diagnosis: a few plain questions each partner answers
alone before a session. An answer of concern opens a safety flag for the therapist, exactly
as a homework safety question does, and the partner is shown the practice's crisis resources.
The therapist can turn them off for a couple, with a reason.
"""
from ..library.models import FormField


def _question(name: str, label: str, concern: str) -> FormField:
    return FormField(name=name, label=label, kind="yes_no", required=False, safety=True, concern=(concern,))


SAFETY_QUESTIONS = (
    _question("afraid", "Since your last session, has your partner done or said anything that made you afraid?", "yes"),
    _question("hurt", "Since your last session, has your partner pushed, grabbed, hit, choked or hurt you "
                      "in another way, or threatened to?", "yes"),
    _question("safe_at_home", "Do you feel safe at home right now?", "no"),
)
SCREEN_NOTE = ("These questions are a screen, not a diagnosis. They help your therapist know when to "
               "talk with you alone. You can skip any of them.")


def concerns_in(answers: dict) -> list[FormField]:
    """The safety questions answered with concern."""
    return [q for q in SAFETY_QUESTIONS if q.is_concern(answers.get(q.name))]
