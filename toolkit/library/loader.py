"""Module files to typed objects, with every problem named by file, field and what is wrong.

Loaded once per process (cached by the files' paths and modification times), not per request.
"""
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .markdown import plain_text, render_markdown
from .models import STAGES, FormField, HomeworkTemplate, Module
from .schema import FormFieldSpec, FrontMatter, HomeworkSpec, problems_in

log = logging.getLogger(__name__)

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.S)
PART_HEADING = re.compile(r"^# (Handout|Facilitator guide)\s*$", re.M)
LIST_LINE_LENGTH = 300  # each numbered line of a list; a module file does not set it


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


def parse_module(path: Path, origin: str = "built-in") -> tuple[Module | None, list[Problem]]:
    """Read one module file; return the module (None if unusable) and its problems."""
    file = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(file, "", f"cannot be read: {error}")]
    match = FRONT_MATTER.match(source)
    if not match:
        return None, [Problem(file, "front matter", "the file must start with a front matter block between two '---' lines")]
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        return None, [Problem(file, "front matter", f"is not valid YAML{where}: {getattr(error, 'problem', error)}")]
    front, problems = _front_matter(meta, file)
    parts, body_problems = _body_parts(match.group(2), file)
    problems += body_problems
    if problems:
        return None, problems
    return _module(front, *parts, file, origin), []


def _front_matter(meta, file: str) -> tuple[FrontMatter | None, list[Problem]]:
    try:
        return FrontMatter.model_validate(meta), []
    except ValidationError as error:
        return None, [Problem(file, where, what) for where, what in problems_in(error.errors(include_url=False))]


def _body_parts(body: str, file: str) -> tuple[tuple[str, str], list[Problem]]:
    """The handout and the facilitator guide, in that order, each under its own heading."""
    parts = PART_HEADING.split(body)
    if parts[1::2] != ["Handout", "Facilitator guide"]:
        return ("", ""), [Problem(file, "body", "must have a '# Handout' part followed by a '# Facilitator guide' part")]
    handout_md, guide_md = parts[2].strip(), parts[4].strip()
    problems = [Problem(file, heading, "is empty") for heading, text in
                (("# Handout", handout_md), ("# Facilitator guide", guide_md)) if not text]
    return (handout_md, guide_md), problems


def _module(front: FrontMatter, handout_md: str, guide_md: str, file: str, origin: str) -> Module:
    return Module(
        slug=front.slug, title=front.title, summary=front.summary, themes=tuple(front.themes), stage=front.stage,
        minutes=front.minutes, sources=tuple(front.sources), related=tuple(front.related),
        homework=tuple(_template(spec, front.slug) for spec in front.homework),
        crisis_resources=front.crisis_resources, handout_md=handout_md, guide_md=guide_md,
        handout_html=render_markdown(handout_md), guide_html=render_markdown(guide_md),
        source_file=file, origin=origin,
        search_text=" ".join([front.title, front.summary, plain_text(handout_md), plain_text(guide_md)]).lower(),
    )


def _template(spec: HomeworkSpec, slug: str) -> HomeworkTemplate:
    return HomeworkTemplate(spec.id, spec.title, spec.instructions, spec.frequency, spec.who,
                            tuple(_form_field(f) for f in spec.fields), slug)


def _form_field(spec: FormFieldSpec) -> FormField:
    values = spec.model_dump()
    if spec.kind == "card":
        values["prompts"] = values.pop("items")  # a card's `items` are its prompts, not a count
    if spec.kind == "list":
        values["max_length"] = LIST_LINE_LENGTH
    # Stored and compared as text, whatever YAML read them as (a scale's 1, a yes_no's yes).
    values["concern"] = tuple(str(answer) for answer in spec.concern)
    return FormField(**{key: tuple(v) if isinstance(v, list) else v for key, v in values.items()})


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
