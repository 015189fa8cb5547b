"""What a module file holds, as typed objects (the library lives in memory, not in the database)."""
import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property

from markupsafe import Markup

THEMES = {
    "understanding": "Understanding",
    "communication": "Communication",
    "appreciation": "Appreciation",
    "time-together": "Time together",
    "intimacy": "Intimacy",
    "conflict-and-repair": "Conflict and repair",
    "growth": "Growth",
    "independence": "Independence",
    "commitment": "Commitment",
    "decision-and-safety": "Decision and safety",
}
STAGES = {"assessment": "Assessment", "early": "Early", "middle": "Middle", "maintenance": "Maintenance"}
FREQUENCIES = {"once": "Once", "daily": "Daily", "weekly": "Weekly"}
WHO = {"each": "Each partner separately", "joint": "The couple together"}
FIELD_KINDS = ("short_text", "long_text", "list", "scale", "tracker", "yes_no", "choice",
               "conflict_log", "two_column", "card")
TRACKER_DAYS = tuple(f"Day {n}" for n in range(1, 8))
# The columns of a conflict log, (key in the stored answer, heading). Keys are stored: never rename one.
CONFLICT_LOG_COLUMNS = (("date", "Date"), ("happened", "What happened"), ("felt", "What I felt"),
                        ("needed", "What I needed"), ("repair", "One repair"))
TWO_COLUMN_LABELS = ("My part", "What I need")
# A printed card comes this many times to a page, to cut out: one for a wallet, one for the fridge...
CARD_COPIES = 4
# The kinds answered in several text boxes: a card's prompts, or a table's rows and columns.
PARTS_KINDS = ("conflict_log", "two_column", "card")


@dataclass(frozen=True)
class FormField:
    """One question of a homework form; drives the online form and the printed worksheet."""

    name: str
    label: str
    kind: str
    help: str | None = None
    required: bool = True
    private: bool = False
    safety: bool = False
    concern: tuple = ()
    max_length: int | None = None
    items: int | None = None
    min: int | None = None
    max: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    choices: tuple[str, ...] = ()
    lines: int | None = None  # long_text: writing lines on paper (None: by max_length)
    rows: int | None = None  # conflict_log, two_column
    left_label: str | None = None  # two_column
    right_label: str | None = None
    prompts: tuple[str, ...] = ()  # card: its `items` in the module file

    @property
    def therapist_only(self) -> bool:
        """Private and safety answers are for the therapist alone."""
        return self.private or self.safety

    @property
    def print_lines(self) -> int:
        """Writing lines on a printed sheet: as many in large print (bigger lines, never fewer)."""
        if self.kind != "long_text":
            return 1
        if self.lines:
            return self.lines
        length = self.max_length or 5000
        return 4 if length <= 500 else 8 if length <= 2000 else 14

    @property
    def print_copies(self) -> int:
        """How many of it a printed sheet holds: a card comes several to a page, to cut out."""
        return CARD_COPIES if self.kind == "card" else 1

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(key, heading) of each column of a conflict log or two-column list; () for other kinds."""
        if self.kind == "conflict_log":
            return CONFLICT_LOG_COLUMNS
        if self.kind == "two_column":
            return (("left", self.left_label or TWO_COLUMN_LABELS[0]), ("right", self.right_label or TWO_COLUMN_LABELS[1]))
        return ()

    @property
    def in_parts(self) -> bool:
        """Answered in several text boxes (a card's prompts, a table's cells), stored as one value."""
        return self.kind in PARTS_KINDS

    @property
    def box_count(self) -> int:
        """How many text boxes a kind answered in parts has: prompts, or rows times columns."""
        if self.kind == "card":
            return len(self.prompts)
        return (self.rows or 0) * len(self.columns) if self.in_parts else 0

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs of what a field is answered through: the choices to pick, the days
        to tick, a card's prompts or a table's columns."""
        if self.kind == "card":
            return [(str(n), prompt) for n, prompt in enumerate(self.prompts)]
        if self.kind in ("conflict_log", "two_column"):
            return list(self.columns)
        if self.kind == "yes_no":
            return [("yes", "Yes"), ("no", "No")]
        if self.kind == "choice":
            return [(c, c) for c in self.choices]
        if self.kind == "scale":
            return [(str(n), str(n)) for n in range(self.min, self.max + 1)]
        if self.kind == "tracker":
            return [(d, d) for d in TRACKER_DAYS]
        return []

    def answer_rows(self, answer) -> list[list[tuple[str, str]]]:
        """A stored answer of a kind in parts, to show back: the rows with anything written, each as
        (heading, text) pairs; a card is one row of (prompt, answer). Other kinds: []."""
        if not self.in_parts or not isinstance(answer, list):
            return []
        if self.kind == "card":
            row = [(prompt, text) for prompt, text in zip(self.prompts, answer) if isinstance(text, str) and text.strip()]
            return [row] if row else []
        rows = []
        for entry in answer:
            if isinstance(entry, dict):
                row = [(heading, str(entry.get(key) or "")) for key, heading in self.columns]
                if any(text.strip() for _, text in row):
                    rows.append(row)
        return rows

    def is_concern(self, answer) -> bool:
        """Whether an answer to this safety question should raise a flag."""
        if not self.safety or answer in (None, "", []):
            return False
        return str(answer) in {str(c) for c in self.concern}


@dataclass(frozen=True)
class HomeworkTemplate:
    id: str
    title: str
    instructions: str
    frequency: str
    who: str
    fields: tuple[FormField, ...]
    module_slug: str = ""

    @property
    def key(self) -> str:
        """A library-wide id: module slug and template id."""
        return f"{self.module_slug}/{self.id}"

    @property
    def is_joint(self) -> bool:
        return self.who == "joint"

    @property
    def has_safety_fields(self) -> bool:
        return any(f.safety for f in self.fields)

    def definition(self) -> dict:
        """The form as plain data, to keep with each assignment answered on it."""
        return dataclasses.asdict(self)

    @cached_property  # frozen, so computed once per loaded library
    def digest(self) -> str:
        """A content address: the same questions, labels and options give the same digest."""
        canonical = json.dumps(self.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_definition(cls, data: dict) -> "HomeworkTemplate":
        """The form back from `definition()`; keys a later release added or dropped are ignored."""
        fields = tuple(FormField(**_known(FormField, spec)) for spec in data.get("fields", ()))
        return cls(**dict(_known(cls, data), fields=fields))


def _known(kind, data: dict) -> dict:
    """The keys of `data` that `kind` has, with JSON's lists made tuples again (the dataclasses are frozen)."""
    names = {f.name for f in dataclasses.fields(kind)}
    return {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names}


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    summary: str
    themes: tuple[str, ...]
    stage: str
    minutes: int
    sources: tuple[str, ...]
    related: tuple[str, ...]
    homework: tuple[HomeworkTemplate, ...]
    handout_md: str
    guide_md: str
    # The handout ends with the practice's own crisis resources (CRISIS_RESOURCES), so no
    # phone number is ever written into a module file.
    crisis_resources: bool = False
    handout_html: Markup = Markup("")
    guide_html: Markup = Markup("")
    source_file: str = ""
    origin: str = "built-in"  # or "practice"
    search_text: str = field(default="", repr=False)

    def template(self, template_id: str) -> HomeworkTemplate | None:
        return next((t for t in self.homework if t.id == template_id), None)

    @property
    def theme_labels(self) -> list[str]:
        return [THEMES[t] for t in self.themes]

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]
