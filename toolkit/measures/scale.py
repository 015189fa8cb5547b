"""The Couples Satisfaction Index, 4-item version (Funk & Rogge, 2007), free for clinical use.

Score: the sum of the four answers, 0 to 21. Below 13.5 indicates notable relationship
dissatisfaction. No published reliable-change figure for the 4-item version is used here:
the app reports changes in points and never labels one as larger than chance.
"""
from dataclasses import dataclass

CUTOFF = 13.5
MAX_SCORE = 21


@dataclass(frozen=True)
class Item:
    name: str
    text: str
    answers: tuple[str, ...]  # index = points


AGREEMENT = ("Not at all", "A little", "Somewhat", "Mostly", "Almost completely", "Completely")

ITEMS = (
    Item("happiness", "Please indicate the degree of happiness, all things considered, of your relationship.",
         ("Extremely unhappy", "Fairly unhappy", "A little unhappy", "Happy", "Very happy", "Extremely happy", "Perfect")),
    Item("warm", "I have a warm and comfortable relationship with my partner.",
         ("Not at all true", "A little true", "Somewhat true", "Mostly true", "Almost completely true", "Completely true")),
    Item("rewarding", "How rewarding is your relationship with your partner?", AGREEMENT),
    Item("satisfied", "In general, how satisfied are you with your relationship?", AGREEMENT),
)


def score(answers: list[int]) -> int:
    """The total, after checking every answer is one the item offers."""
    if len(answers) != len(ITEMS):
        raise ValueError(f"The measure has {len(ITEMS)} questions; got {len(answers)} answers.")
    for item, value in zip(ITEMS, answers):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < len(item.answers):
            raise ValueError(f"“{item.text}” takes an answer from 0 to {len(item.answers) - 1}, not {value!r}.")
    return sum(answers)


def below_cutoff(total: int) -> bool:
    return total < CUTOFF
