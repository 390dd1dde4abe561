"""The medspaCy pipeline: blank English tokenizer, PyRuSH sentences, TargetMatcher, ConText.

Built once per knowledge base from the intake lexicon and cached with `kb.section()`. Every
lexicon entry becomes one TargetMatcher rule whose label names its kind and id:

    F:<id>  a finding phrase          S:<id>  a symptom word (needs a body region)
    B:<id>  a body region             A:<id>  an attribute cue (side, trend, severity ...)
    M:<id>  a measurement keyword with its number

All spans go into one span group (overlaps allowed), and ConText runs over that group, so
negation, uncertainty, history and "someone else" apply to every kind of span. Nothing is
downloaded: the model is `spacy.blank("en")` and PyRuSH reads its rules from the medspaCy
package. PyRuSH logs through loguru at DEBUG; that logger is disabled before loading.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from esiguard.intake.lexicon import Lexicon, Matchable, entry_regex, load_lexicon

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from esiguard.kb import KnowledgeBase

SPAN_GROUP = "esiguard_intake"
SECTION = "intake"

# ConText categories (upper case, as medspaCy stores them).
NEGATED = "NEGATED"
UNCERTAIN = "UNCERTAIN"
HYPOTHETICAL = "HYPOTHETICAL"
HISTORICAL = "HISTORICAL"
OTHER_PERSON = "OTHER_PERSON"
REPORTER = "REPORTER"
FIRST_PERSON = "FIRST_PERSON"
TERMINATE = "TERMINATE"
PSEUDO = "PSEUDO"
CLAUSE_BREAK_RULE = "clause_break"


def silence_pyrush() -> None:
    """PyRuSH logs every sentence at DEBUG through loguru; keep that out of our output."""
    try:
        from loguru import logger  # PyRuSH's logging library, installed with it
    except ImportError:  # pragma: no cover - a PyRuSH without loguru prints nothing of ours
        return
    logger.disable("PyRuSH")
    logger.disable("medspacy")


@dataclass
class IntakePipeline:
    """The compiled pipeline plus the lexicon it was built from. Calls are serialised."""

    nlp: Language
    lexicon: Lexicon
    labels: dict[str, Matchable]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, text: str) -> Doc:
        # spaCy's matchers are not documented as safe to share across threads; a lock keeps
        # concurrent callers (the web app) correct at the cost of running one text at a time.
        with self._lock:
            return self.nlp(text)


# All our rules are regular expressions, which leaves spaCy's token Matcher inside medspaCy
# empty, and spaCy then warns (W036) on every call. One token rule that can never match (no
# token is this text) keeps the matcher non-empty and the output quiet.
_NEVER = "esiguard_never"
_NEVER_PATTERN = [{"ORTH": "\u0000esiguard-never\u0000"}]


class _ListNegation:
    """ConText `on_modifies` check for list negations ("no fever, chills or rash").

    The negation reaches a finding only across the words of a list: it stops at a verb ("no
    fever, legs are weak") and at a finding word that is not joined to what follows by a
    comma, "and", "or" ("no fever legs weak").
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self.verbs = {w.lower() for w in lexicon.settings.list_breaking_verbs}
        self.joiners = {w.lower() for w in lexicon.settings.list_joiners}

    def __call__(self, target: Span, modifier: Span, between: Span) -> bool:
        if any(token.lower_ in self.verbs for token in between):
            return False
        doc = target.doc
        for span in doc.spans[SPAN_GROUP]:
            if span.label_[:2] not in ("F:", "S:") or span.label_ == target.label_:
                continue
            if not (between.start <= span.start and span.end <= between.end):
                continue
            following = doc[span.end].lower_ if span.end < len(doc) else ""
            joined = following in self.joiners or any(
                other.start == span.end and other.label_[:2] in ("F:", "S:")
                for other in doc.spans[SPAN_GROUP]
            )
            if span.end < target.start and not joined:
                return False
        return True


def _context_rules(lexicon: Lexicon) -> list:
    from medspacy.context import ConTextRule

    direction_for = {
        "terminate": "TERMINATE",
        "pseudo": "PSEUDO",
        "reporter": "PSEUDO",
        "first_person": "PSEUDO",
    }
    list_check = _ListNegation(lexicon)
    rules = []
    for cue in lexicon.context:
        category = cue.category.upper()
        direction = direction_for.get(cue.category, cue.direction.upper())
        terminated_by = {FIRST_PERSON, REPORTER} if cue.category == "other_person" else None
        max_scope = cue.max_scope
        if direction in ("TERMINATE", "PSEUDO"):
            # medspaCy limits a scope only when the two scopes "overlap" by its own test, which
            # misses a terminator whose sentence-wide scope contains the other one. A scope of
            # one token either side makes the test work for every scope it sits inside.
            max_scope = 1
        metadata = {"cue_id": cue.id, "clause_break": cue.clause_break}
        rules.append(
            ConTextRule(
                literal=cue.id,
                category=category,
                pattern=entry_regex(cue),
                direction=direction,
                max_scope=max_scope,
                terminated_by=terminated_by,
                metadata=metadata,
                on_modifies=list_check if cue.list_only else None,
            )
        )
    rules.append(
        ConTextRule(literal=_NEVER, category=PSEUDO, pattern=_NEVER_PATTERN, direction="PSEUDO")
    )
    return rules


def _target_rules(lexicon: Lexicon) -> list:
    from medspacy.target_matcher import TargetRule

    from esiguard.intake.measure import measurement_regex

    rules = []
    for prefix, entries in (
        ("F", lexicon.findings),
        ("S", lexicon.symptoms),
        ("B", lexicon.body_parts),
        ("A", lexicon.attributes),
    ):
        for entry in entries:
            label = f"{prefix}:{entry.id}"
            rules.append(TargetRule(literal=label, category=label, pattern=entry_regex(entry)))
    for measurement in lexicon.measurements:
        label = f"M:{measurement.id}"
        rules.append(
            TargetRule(literal=label, category=label, pattern=measurement_regex(measurement))
        )
    rules.append(TargetRule(literal=_NEVER, category=_NEVER, pattern=_NEVER_PATTERN))
    return rules


def build_pipeline(lexicon: Lexicon) -> IntakePipeline:
    """Assemble the medspaCy pipeline for a lexicon (offline; nothing is downloaded)."""
    silence_pyrush()
    import medspacy

    nlp = medspacy.load(
        "default", medspacy_enable=["medspacy_pyrush"], load_rules=False, language_code="en"
    )
    matcher = nlp.add_pipe(
        "medspacy_target_matcher",
        config={"result_type": "group", "span_group_name": SPAN_GROUP, "prune": False},
    )
    matcher.add(_target_rules(lexicon))
    context = nlp.add_pipe(
        "medspacy_context",
        config={
            "rules": None,
            "input_span_type": "group",
            "span_group_name": SPAN_GROUP,
            "span_attrs": None,
            # Cues that overlap matched phrases are sorted out by intake itself (extract.py),
            # which knows which kinds of span may hide a cue.
            "prune_on_target_overlap": False,
        },
    )
    context.add(_context_rules(lexicon))
    labels = lexicon.label_map()
    return IntakePipeline(nlp=nlp, lexicon=lexicon, labels=labels)


def _load_section(kb: KnowledgeBase) -> IntakePipeline:
    return build_pipeline(load_lexicon(kb))


def get_pipeline(kb: KnowledgeBase) -> IntakePipeline:
    """The pipeline for this knowledge base, built on first use and then cached."""
    return kb.section(SECTION, _load_section)
