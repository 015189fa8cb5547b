"""What a module file holds, as typed objects (the library lives in memory, not in the database)."""
from dataclasses import dataclass, field

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
FIELD_KINDS = ("short_text", "long_text", "list", "scale", "tracker", "yes_no", "choice")
TRACKER_DAYS = tuple(f"Day {n}" for n in range(1, 8))


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

    @property
    def therapist_only(self) -> bool:
        """Private and safety answers are for the therapist alone."""
        return self.private or self.safety

    @property
    def options(self) -> list[tuple[str, str]]:
        """(value, label) pairs for the kinds answered by picking."""
        if self.kind == "yes_no":
            return [("yes", "Yes"), ("no", "No")]
        if self.kind == "choice":
            return [(c, c) for c in self.choices]
        if self.kind == "scale":
            return [(str(n), str(n)) for n in range(self.min, self.max + 1)]
        if self.kind == "tracker":
            return [(d, d) for d in TRACKER_DAYS]
        return []

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
