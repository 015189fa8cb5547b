"""Module files to typed objects, with every problem named by file, field and what is wrong.

Loaded once per process (cached by the files' paths and modification times), not per request.
"""
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .markdown import plain_text, render_markdown
from .models import FIELD_KINDS, FREQUENCIES, STAGES, THEMES, WHO, FormField, HomeworkTemplate, Module

log = logging.getLogger(__name__)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
PART_HEADING = re.compile(r"^# (Handout|Facilitator guide)\s*$", re.M)

MODULE_KEYS = {"slug", "title", "summary", "themes", "stage", "minutes", "sources", "related", "homework",
               "crisis_resources"}
TEMPLATE_KEYS = {"id", "title", "instructions", "frequency", "who", "fields"}
FIELD_KEYS = {"name", "label", "kind", "help", "required", "private", "safety", "concern", "max_length",
              "items", "min", "max", "min_label", "max_label", "choices", "lines", "rows", "left_label",
              "right_label"}
KIND_KEYS = {
    "short_text": {"max_length"}, "long_text": {"max_length", "lines"}, "list": {"items"},
    "scale": {"min", "max", "min_label", "max_label"}, "tracker": set(), "yes_no": set(), "choice": {"choices"},
    "conflict_log": {"rows", "max_length"}, "two_column": {"rows", "left_label", "right_label", "max_length"},
    "card": {"items", "max_length"},
}
# For a list, a table or a card: the most each box may hold.
DEFAULT_MAX_LENGTH = {"short_text": 200, "long_text": 5000, "list": 300, "conflict_log": 300, "two_column": 300,
                      "card": 120}
DEFAULT_ROWS = {"conflict_log": 3, "two_column": 4}
DEFAULT_LINES = 6  # a long_text with no max_length; one with it gets room by its length (FormField.print_lines)
MAX_LINES = 40  # a letter gets a page (26 lines); more than a page and a half is not a worksheet any more
CARD_PROMPTS = (1, 6)  # what fits on a card a wallet holds
CARD_PROMPT_LENGTH = 60


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}" if self.field else f"{self.file}: {self.message}"


class LibraryError(Exception):
    """The built-in library is invalid; the app will not start with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("The module library has problems:\n" + "\n".join(f"  {p}" for p in problems))


class _Checker:
    """Collects problems for one file while reading it."""

    def __init__(self, path: Path):
        self.file = str(path)
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))

    def text(self, data: dict, key: str, where: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(f"{where}{key}", "is missing")
            return None
        if not isinstance(value, str):
            self.add(f"{where}{key}", f"must be text, not {type(value).__name__}")
            return None
        return value.strip()

    def integer(self, data: dict, key: str, where: str, low: int | None = None, high: int | None = None):
        value = data.get(key)
        if value is None:
            self.add(f"{where}{key}", "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{where}{key}", f"must be a whole number, not {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(f"{where}{key}", f"must be from {low} to {high}, not {value}")
            return None
        return value

    def string_list(self, data: dict, key: str, where: str) -> list[str]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{where}{key}", "must be a list of texts")
            return []
        return value

    def one_of(self, data: dict, key: str, where: str, allowed, what: str) -> str | None:
        """A required text that must be one of `allowed`; None (and a problem) otherwise."""
        value = self.text(data, key, where)
        if value and value not in allowed:
            self.add(f"{where}{key}", f"unknown {what} {value!r} (known: {', '.join(allowed)})")
            return None
        return value

    def identifier(self, data: dict, key: str, where: str, pattern, describe: str, seen: set) -> str | None:
        """A required name matching `pattern` and not used before in `seen`."""
        value = self.text(data, key, where)
        if value and not pattern.match(value):
            self.add(f"{where}{key}", f"must be {describe}, not {value!r}")
        elif value in seen:
            self.add(f"{where}{key}", f"duplicate {key} {value!r}")
        seen.add(value)
        return value

    def unknown_keys(self, data: dict, allowed: set, where: str) -> None:
        for key in sorted(set(data) - allowed):
            self.add(f"{where}{key}", "is not a known field (check the spelling)")


def parse_module(path: Path, origin: str = "built-in") -> tuple[Module | None, list[Problem]]:
    """Read one module file; return the module (None if unusable) and its problems."""
    check = _Checker(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        check.add("", f"cannot be read: {error}")
        return None, check.problems
    match = FRONT_MATTER.match(source)
    if not match:
        check.add("front matter", "the file must start with a front matter block between two '---' lines")
        return None, check.problems
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        check.add("front matter", f"is not valid YAML{where}: {getattr(error, 'problem', error)}")
        return None, check.problems
    if not isinstance(meta, dict):
        check.add("front matter", "must be a set of 'key: value' lines")
        return None, check.problems

    check.unknown_keys(meta, MODULE_KEYS, "")
    slug = check.text(meta, "slug", "")
    if slug and not SLUG.match(slug):
        check.add("slug", f"must be lower-case letters, digits and hyphens, not {slug!r}")
    title = check.text(meta, "title", "")
    summary = check.text(meta, "summary", "")
    if summary and "\n" in summary:
        check.add("summary", "must be one line")
    themes = check.string_list(meta, "themes", "")
    if not themes and "themes" in meta and meta["themes"] == []:
        check.add("themes", "needs at least one theme")
    elif "themes" not in meta:
        check.add("themes", "is missing")
    for theme in themes:
        if theme not in THEMES:
            check.add("themes", f"unknown theme {theme!r} (known: {', '.join(THEMES)})")
    stage = check.one_of(meta, "stage", "", STAGES, "stage")
    minutes = check.integer(meta, "minutes", "", 5, 120)
    sources = check.string_list(meta, "sources", "")
    related = check.string_list(meta, "related", "")
    homework = _parse_homework(meta.get("homework"), slug or path.stem, check)
    crisis_resources = meta.get("crisis_resources", False)
    if not isinstance(crisis_resources, bool):
        check.add("crisis_resources", "must be true or false")

    body = match.group(2)
    parts = PART_HEADING.split(body)
    headings = parts[1::2]
    if headings != ["Handout", "Facilitator guide"]:
        check.add("body", "must have a '# Handout' part followed by a '# Facilitator guide' part")
        handout_md = guide_md = ""
    else:
        handout_md, guide_md = parts[2].strip(), parts[4].strip()
        if not handout_md:
            check.add("# Handout", "is empty")
        if not guide_md:
            check.add("# Facilitator guide", "is empty")

    if check.problems:
        return None, check.problems
    module = Module(
        slug=slug, title=title, summary=summary, themes=tuple(themes), stage=stage, minutes=minutes,
        sources=tuple(sources), related=tuple(related), homework=homework, crisis_resources=crisis_resources,
        handout_md=handout_md, guide_md=guide_md,
        handout_html=render_markdown(handout_md), guide_html=render_markdown(guide_md),
        source_file=str(path), origin=origin,
        search_text=" ".join([title, summary, plain_text(handout_md), plain_text(guide_md)]).lower(),
    )
    return module, []


def _parse_homework(raw, slug: str, check: _Checker) -> tuple[HomeworkTemplate, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        check.add("homework", "must be a list of homework templates")
        return ()
    templates, seen = [], set()
    for i, item in enumerate(raw):
        where = f"homework[{i}]."
        if not isinstance(item, dict):
            check.add(f"homework[{i}]", "must be a set of 'key: value' lines")
            continue
        check.unknown_keys(item, TEMPLATE_KEYS, where)
        template_id = check.identifier(item, "id", where, SLUG, "lower-case letters, digits and hyphens", seen)
        title = check.text(item, "title", where)
        instructions = check.text(item, "instructions", where)
        frequency = check.one_of(item, "frequency", where, FREQUENCIES, "frequency")
        who = check.one_of(item, "who", where, WHO, "value")
        fields = _parse_fields(item.get("fields"), where, check)
        templates.append(HomeworkTemplate(template_id, title, instructions, frequency, who, fields, slug))
    return tuple(templates)


def _parse_fields(raw, where: str, check: _Checker) -> tuple[FormField, ...]:
    if not isinstance(raw, list) or not raw:
        check.add(f"{where}fields", "needs a list of at least one form field")
        return ()
    fields, seen = [], set()
    for i, item in enumerate(raw):
        at = f"{where}fields[{i}]."
        if not isinstance(item, dict):
            check.add(f"{where}fields[{i}]", "must be a set of 'key: value' lines")
            continue
        check.unknown_keys(item, FIELD_KEYS, at)
        name = check.identifier(item, "name", at, FIELD_NAME, "lower-case letters, digits and underscores", seen)
        label = check.text(item, "label", at)
        kind = check.one_of(item, "kind", at, FIELD_KINDS, "field kind")
        if not kind:
            continue
        for key in sorted(set(item) & (set().union(*KIND_KEYS.values()) - KIND_KEYS[kind])):
            check.add(f"{at}{key}", f"does not apply to a {kind} field")
        options = _kind_options(item, kind, at, check)
        flags = {}
        for flag in ("required", "private", "safety"):
            if flag in item and not isinstance(item[flag], bool):
                check.add(f"{at}{flag}", f"must be true or false, not {item[flag]!r}")
            flags[flag] = bool(item.get(flag, flag == "required"))
        concern = _concern(item, kind, options, flags["safety"], at, check)
        fields.append(FormField(name=name, label=label, kind=kind, help=check.text(item, "help", at, required=False),
                                concern=concern, **flags, **options))
    return tuple(fields)


def _max_length(item: dict, kind: str, at: str, check: _Checker, high: int = 20000) -> int | None:
    if "max_length" in item:
        return check.integer(item, "max_length", at, 1, high)
    return DEFAULT_MAX_LENGTH[kind]


def _kind_options(item: dict, kind: str, at: str, check: _Checker) -> dict:
    if kind == "short_text":
        return {"max_length": _max_length(item, kind, at, check)}
    if kind == "long_text":
        options = {"max_length": _max_length(item, kind, at, check)}
        if "lines" in item:
            options["lines"] = check.integer(item, "lines", at, 1, MAX_LINES)
        elif "max_length" not in item:
            # No length expected (the 5000 is only a cap): the room a sheet always gave.
            options["lines"] = DEFAULT_LINES
        return options
    if kind in ("conflict_log", "two_column"):
        options = {"max_length": _max_length(item, kind, at, check, 1000),
                   "rows": check.integer(item, "rows", at, 1, 10) if "rows" in item else DEFAULT_ROWS[kind]}
        if kind == "two_column":
            for side in ("left_label", "right_label"):  # left out: "My part" and "What I need"
                options[side] = check.text(item, side, at, required=False)
        return options
    if kind == "card":
        return {"prompts": _card_prompts(item, at, check), "max_length": _max_length(item, kind, at, check, 200)}
    if kind == "list":
        return {"items": check.integer(item, "items", at, 1, 10), "max_length": DEFAULT_MAX_LENGTH["list"]}
    if kind == "scale":
        if "min" not in item or "max" not in item:
            check.add(f"{at}min/max", "a rating scale needs both bounds, min and max")
            return {}
        low, high = check.integer(item, "min", at, 0, 100), check.integer(item, "max", at, 0, 100)
        if low is not None and high is not None and not 1 <= high - low <= 10:
            check.add(f"{at}max", f"must be 1 to 10 above min ({low}), not {high}")
        return {"min": low, "max": high, "min_label": check.text(item, "min_label", at),
                "max_label": check.text(item, "max_label", at)}
    if kind == "choice":
        choices = check.string_list(item, "choices", at)
        if len(choices) < 2:
            check.add(f"{at}choices", "a choice field needs at least two choices")
        return {"choices": tuple(choices)}
    return {}


def _card_prompts(item: dict, at: str, check: _Checker) -> tuple[str, ...]:
    """A card's `items`: its prompts, a few short texts."""
    low, high = CARD_PROMPTS
    raw = item.get("items")
    if raw is None:
        check.add(f"{at}items", "is missing: a card needs its prompts, like [My signal word, Where I go]")
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) and p.strip() for p in raw):
        check.add(f"{at}items", "must be a list of prompts (texts), like [My signal word, Where I go]")
        return ()
    prompts = tuple(p.strip() for p in raw)
    if not low <= len(prompts) <= high:
        check.add(f"{at}items", f"a card holds {low} to {high} prompts, not {len(prompts)}")
    for prompt in prompts:
        if len(prompt) > CARD_PROMPT_LENGTH:
            check.add(f"{at}items", f"{prompt!r} is too long for a card (at most {CARD_PROMPT_LENGTH} characters)")
    if len(set(prompts)) != len(prompts):
        check.add(f"{at}items", "has the same prompt twice")
    return prompts


def _concern(item: dict, kind: str, options: dict, safety: bool, at: str, check: _Checker) -> tuple:
    if "concern" not in item:
        return ()
    if not safety:
        check.add(f"{at}concern", "only a safety field (safety: true) can have concern answers")
        return ()
    raw = item["concern"] if isinstance(item["concern"], list) else [item["concern"]]
    # YAML 1.1 reads a bare yes/no as true/false; take the author's meaning.
    values = ["yes" if v is True else "no" if v is False else v for v in raw]
    if kind == "yes_no":
        valid = {"yes", "no"}
    elif kind == "choice":
        valid = set(options.get("choices", ()))
    elif kind == "scale" and options.get("min") is not None and options.get("max") is not None:
        valid = set(range(options["min"], options["max"] + 1))
    else:
        check.add(f"{at}concern", f"a {kind} field cannot have concern answers")
        return ()
    for value in values:
        if value not in valid:
            check.add(f"{at}concern", f"{value!r} is not one of this field's answers")
    return tuple(str(v) for v in values)


def _load_dir(directory: Path, origin: str) -> tuple[list[Module], list[Problem]]:
    modules, problems, seen = [], [], {}
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        module, found = parse_module(path, origin)
        problems.extend(found)
        if module is None:
            continue
        if module.slug in seen:
            problems.append(Problem(str(path), "slug", f"duplicate slug {module.slug!r} (also in {seen[module.slug]})"))
            continue
        seen[module.slug] = path.name
        modules.append(module)
    return modules, problems


def _related_problems(modules: dict[str, Module]) -> list[Problem]:
    return [
        Problem(m.source_file, "related", f"no module has the slug {slug!r}")
        for m in modules.values() for slug in m.related if slug not in modules
    ]


class Library:
    """All modules, in memory, in a stable order."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = dict(sorted(modules.items(), key=lambda kv: (list(STAGES).index(kv[1].stage), kv[1].title)))
        # Changes whenever any module's content does: part of every printed document's cache key.
        self.version = hashlib.sha256(repr(sorted((m.slug, m.handout_md, m.guide_md, m.homework)
                                                  for m in self.modules.values())).encode()).hexdigest()[:16]

    def __iter__(self):
        return iter(self.modules.values())

    def __len__(self):
        return len(self.modules)

    def get(self, slug: str) -> Module | None:
        return self.modules.get(slug)

    def template(self, key: str) -> HomeworkTemplate | None:
        slug, _, template_id = key.partition("/")
        module = self.modules.get(slug)
        return module.template(template_id) if module else None


def check_library(builtin_dir: Path, practice_dir: Path | None = None) -> list[Problem]:
    """Every problem in the built-in and practice modules, for the CLI."""
    modules, problems = _load_dir(builtin_dir, "built-in")
    merged = {m.slug: m for m in modules}
    if practice_dir and practice_dir.is_dir():
        practice, practice_problems = _load_dir(practice_dir, "practice")
        problems += practice_problems
        merged.update({m.slug: m for m in practice})
    return problems + _related_problems(merged)


_cache: dict[tuple, Library] = {}


def _fingerprint(*dirs: Path | None) -> tuple:
    return tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for d in dirs if d and d.is_dir() for p in sorted(d.glob("*.md"))
    )


def load_library(builtin_dir: Path, practice_dir: Path | None = None) -> Library:
    """The library: built-in modules, overridden or extended by valid practice modules.

    Raises LibraryError when a built-in module is invalid; an invalid practice module is
    logged and skipped, so a practice's typo never takes the app down.
    """
    key = _fingerprint(builtin_dir, practice_dir) + ((str(builtin_dir), str(practice_dir)),)
    if key in _cache:
        return _cache[key]
    modules, problems = _load_dir(builtin_dir, "built-in")
    merged = {m.slug: m for m in modules}
    problems += _related_problems(merged)
    if problems:
        raise LibraryError(problems)
    if practice_dir and practice_dir.is_dir():
        practice, practice_problems = _load_dir(practice_dir, "practice")
        for problem in practice_problems:
            log.error("Skipped a practice module: %s", problem)
        candidate = dict(merged, **{m.slug: m for m in practice})
        broken = _related_problems(candidate)
        for problem in broken:
            log.error("Skipped a practice module: %s", problem)
        broken_files = {p.file for p in broken}
        merged.update({m.slug: m for m in practice if m.source_file not in broken_files})
    library = Library(merged)
    _cache[key] = library
    return library
