"""From a processed Doc to findings: resolve symptoms to body regions, read ConText, attach
attributes, and combine the mentions of each finding code.

How a mention becomes a finding:
  1. A finding phrase (F) names its codes; a symptom word (S) takes its codes from the
     nearest body region (B) in its clause, then from an earlier clause of the sentence, then
     (for "it"/"they") from the previous sentence, then from an earlier mention of the same
     symptom; a measurement (M) gives a value.
  2. ConText cues on the mention: someone else's symptom and hypotheticals are not counted;
     negation turns "present" into "absent" (and a negated normal statement into unknown);
     uncertainty makes it unknown; history marks it as there before the injection.
  3. Attribute cues (A) in the same clause, or sentence, give side, trend, severity, score,
     posture dependence and onset.
  4. Mentions of one code combine with safety first: any present mention makes the finding
     present; otherwise any unknown makes it unknown; only then absent. Trends combine to the
     worst, sides to "both" when they differ, severities to the highest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from esiguard.intake.lexicon import (
    LEVEL_PAIN,
    AttributeCue,
    FindingPhrase,
    Lexicon,
    Measurement,
    Symptom,
)
from esiguard.intake.measure import Reading, read_measurement
from esiguard.intake.models import Cue, ExtractedFinding, Mention, TextSpan
from esiguard.intake.pipeline import (
    HISTORICAL,
    HYPOTHETICAL,
    NEGATED,
    OTHER_PERSON,
    SPAN_GROUP,
    TERMINATE,
    UNCERTAIN,
)
from esiguard.intake.timing import parse_amount

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_CUE_NAMES = {
    NEGATED: "negated",
    UNCERTAIN: "uncertain",
    HYPOTHETICAL: "hypothetical",
    HISTORICAL: "historical",
    OTHER_PERSON: "other_person",
}
_CUE_PRIORITY = (OTHER_PERSON, HYPOTHETICAL, UNCERTAIN, NEGATED, HISTORICAL)
_CLAUSE_PUNCT = {";", ":", "?", "!", "??", "?!", "!!"}
_PRONOUNS = {"it", "they", "them", "it's", "its", "they're", "that", "these", "those"}
_TREND_ORDER = {"worsening": 3, "stable": 2, "improving": 1, "resolved": 0}
_SEVERITY_ORDER = {"mild": 0, "moderate": 1, "severe": 2}
# How far (tokens) outside its clause, within the sentence, an attribute cue may reach.
# Onset and duration stay inside their clause: "since the shot the pain is better, and the
# weakness is the same" says nothing about when the weakness began.
# Words that may stand between two coordinated body regions ("my bladder and the bowels").
_COORDINATION_GLUE = frozenset(
    {"and", "or", ",", "&", "/", "my", "the", "both", "his", "her", "left", "right", "of"}
)
_SENTENCE_FALLBACK = {"side": 12, "trend": 12, "nrs": 14}


@dataclass
class Item:
    """One matched span from the pipeline."""

    kind: str  # F, S, B, A or M
    entry: Any
    span: Span
    sent: int
    modifiers: tuple = ()

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


@dataclass
class AttrValue:
    item: Item
    attribute: str
    value: Any


@dataclass
class RawMention:
    code: str
    base_present: bool | None
    anchor: Item
    body: Item | None
    rule: str
    char_start: int
    char_end: int
    defaults: dict[str, Any] = field(default_factory=dict)
    reading: Reading | None = None


@dataclass
class ReadMention:
    raw: RawMention
    present: bool | None
    counted: bool
    historical: bool
    cue: Cue | None
    attrs: dict[str, Any]


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Tokens strictly between two spans (0 when they touch or overlap)."""
    if a_end <= b_start:
        return b_start - a_end
    if b_end <= a_start:
        return a_start - b_end
    return 0


def _contains(outer: Item, inner: Item, *, strict: bool = True) -> bool:
    inside = outer.start <= inner.start and inner.end <= outer.end
    if not strict:
        return inside
    return inside and (outer.end - outer.start) > (inner.end - inner.start)


def _overlaps(a: Item, b: Item) -> bool:
    return a.start < b.end and b.start < a.end


class DocReader:
    """Turns one processed Doc into extracted findings."""

    def __init__(
        self,
        doc: Doc,
        lexicon: Lexicon,
        labels: dict[str, Any],
        *,
        hours_since: float | None,
        region: str | None,
        side_codes: set[str] | None = None,
        nrs_codes: set[str] | None = None,
        original_text: str | None = None,
    ) -> None:
        self.doc = doc
        # Spans quote the caller's text (the Doc holds a same-length normalised copy).
        self.original = original_text if original_text is not None else doc.text
        self.side_codes = side_codes
        self.nrs_codes = nrs_codes
        self.lexicon = lexicon
        self.settings = lexicon.settings
        self.hours_since = hours_since
        self.level_pain = lexicon.settings.level_pain.get(
            region or "default", lexicon.settings.level_pain["default"]
        )
        self.sents = list(doc.sents)
        self.sent_of = [0] * len(doc)
        for i, sent in enumerate(self.sents):
            for t in range(sent.start, sent.end):
                self.sent_of[t] = i
        self.items = self._items(labels)
        self.hidden = self._hidden_modifiers()
        self.clause_of = self._clauses()

    # --- spans --------------------------------------------------------------------------
    def _items(self, labels: dict[str, Any]) -> list[Item]:
        items = []
        for span in self.doc.spans[SPAN_GROUP]:
            entry = labels.get(span.label_)
            if entry is None:
                continue
            kind = span.label_.split(":", 1)[0]
            items.append(Item(kind, entry, span, self.sent_of[span.start], tuple(span._.modifiers)))
        return self._prune(items)

    @staticmethod
    def _prune(items: list[Item]) -> list[Item]:
        """Longest phrase wins: drop words read inside a longer phrase of a stronger kind."""
        f_items = [i for i in items if i.kind == "F"]
        s_items = [i for i in items if i.kind == "S"]
        b_items = [i for i in items if i.kind == "B"]
        a_items = [i for i in items if i.kind == "A"]
        m_items = [i for i in items if i.kind == "M"]

        def inside_any(item: Item, outers: list[Item], *, strict: bool = True) -> bool:
            return any(o is not item and _contains(o, item, strict=strict) for o in outers)

        f_kept = [f for f in f_items if not inside_any(f, f_items)]
        s_kept = [
            s
            for s in s_items
            if not inside_any(s, f_kept, strict=False) and not inside_any(s, s_items)
        ]
        # Body words inside a symptom phrase or a longer body phrase are part of those
        # ("between my legs" is the saddle area, not the legs). Inside a finding phrase they
        # still count for nearby symptoms ("my foot slaps ... and the top of it is numb").
        b_kept = [
            b
            for b in b_items
            if not inside_any(b, s_kept, strict=False) and not inside_any(b, b_items)
        ]
        b_kept = [
            b
            for b in b_kept
            if not any(
                o is not b and _overlaps(o, b) and (o.end - o.start) > (b.end - b.start)
                for o in b_kept
            )
        ]
        ignores = [a for a in a_items if a.entry.attribute == "ignore"]
        a_kept = []
        for a in a_items:
            if a.entry.attribute == "ignore":
                continue
            if inside_any(a, ignores, strict=False):
                continue
            same = [o for o in a_items if o.entry.attribute == a.entry.attribute]
            if inside_any(a, same):
                continue
            a_kept.append(a)
        m_kept = [m for m in m_items if not inside_any(m, m_items)]
        return f_kept + s_kept + b_kept + a_kept + m_kept

    def _hidden_modifiers(self) -> set[int]:
        """Cues that belong to a matched phrase rather than to the sentence around it.

        "no" in "no urine" or "nothing" in "nothing comes out" is part of a finding phrase and
        must not negate the next finding; "no" in "no better" is part of a trend phrase. But a
        cue that only contains an attribute word ("same as before" around "same") still counts.
        """
        hidden: set[int] = set()
        graph = self.doc._.context_graph
        if graph is None:
            return hidden
        hiding = [
            i for i in self.items if i.kind in ("S", "B", "M") or (i.kind == "F" and i.entry.codes)
        ]
        attributes = [i for i in self.items if i.kind == "A"]
        for modifier in graph.modifiers:
            start, end = modifier.modifier_span
            if modifier.category == TERMINATE:
                continue
            if any(i.start < end and start < i.end for i in hiding) or any(
                i.start <= start and end <= i.end and (i.end - i.start) > (end - start)
                for i in attributes
            ):
                hidden.add(id(modifier))
        return hidden

    def _clauses(self) -> list[int]:
        breaks: set[int] = set()
        graph = self.doc._.context_graph
        for modifier in graph.modifiers if graph is not None else ():
            meta = modifier.rule.metadata or {}
            if modifier.category == TERMINATE and meta.get("clause_break", True):
                breaks.add(modifier.modifier_span[0])
        for token in self.doc:
            if token.text in _CLAUSE_PUNCT or (
                token.text == "-" and token.i > 0 and self.doc[token.i - 1].whitespace_
            ):
                breaks.add(token.i)
        clause_of = [0] * len(self.doc)
        clause = 0
        for sent in self.sents:
            clause += 1
            for t in range(sent.start, sent.end):
                if t in breaks and t != sent.start:
                    clause += 1
                clause_of[t] = clause
        return clause_of

    def _text_span(self, start_char: int, end_char: int) -> TextSpan:
        return TextSpan(start=start_char, end=end_char, text=self.original[start_char:end_char])

    def _token_span(self, start: int, end: int) -> TextSpan:
        span = self.doc[start:end]
        return self._text_span(span.start_char, span.end_char)

    # --- body regions ----------------------------------------------------------------------
    def _bodies(self) -> list[Item]:
        return [i for i in self.items if i.kind == "B"]

    def _resolve_body(
        self, s: Item, resolved_before: dict[str, tuple[str, Item | None]]
    ) -> list[tuple[str, Item | None]]:
        """The body groups (with the body span) a symptom word is said of."""
        symptom: Symptom = s.entry
        groups = set(symptom.codes)
        candidates = [b for b in self._bodies() if b.entry.group in groups and not _overlaps(b, s)]
        same_sent = [b for b in candidates if b.sent == s.sent]
        clause = self.clause_of[s.start]
        in_clause = [
            b
            for b in same_sent
            if self.clause_of[b.start] == clause
            and _gap(b.start, b.end, s.start, s.end) <= self.settings.max_body_distance
        ]
        chosen: Item | None = None
        if in_clause:
            chosen = min(
                in_clause,
                key=lambda b: (
                    _gap(b.start, b.end, s.start, s.end) + (0.5 if b.start > s.start else 0.0),
                    -(b.end - b.start),
                ),
            )
        else:
            earlier = [
                b
                for b in same_sent
                if b.end <= s.start
                and _gap(b.start, b.end, s.start, s.end)
                <= self.settings.max_previous_clause_distance
            ]
            if earlier:
                chosen = max(earlier, key=lambda b: b.end)
            elif s.sent > 0 and self._clause_has_pronoun(s):
                previous = [b for b in candidates if b.sent == s.sent - 1]
                if previous:
                    chosen = max(previous, key=lambda b: b.end)
        if chosen is not None:
            return [(b.entry.group, b) for b in self._coordinated(chosen, groups)]
        # "The weakness is the same": a symptom word said earlier of a region, said again.
        # Only for symptoms, never for "fine"/"normal", which must name what is normal.
        if symptom.present is True and symptom.id in resolved_before:
            return [resolved_before[symptom.id]]
        if symptom.default_group is not None:
            return [(symptom.default_group, None)]
        return []

    def _clause_has_pronoun(self, s: Item) -> bool:
        clause = self.clause_of[s.start]
        sent = self.sents[s.sent]
        return any(
            t.lower_ in _PRONOUNS for t in sent if self.clause_of[t.i] == clause and t.i < s.start
        )

    def _coordinated(self, body: Item, groups: set[str]) -> list[Item]:
        """A body word plus those joined to it by and/or/commas ("bladder and bowels")."""
        bodies = sorted(
            (b for b in self._bodies() if b.sent == body.sent and b.entry.group in groups),
            key=lambda b: b.start,
        )
        chain = [body]
        index = bodies.index(body)
        for step in (-1, 1):
            current = body
            j = index + step
            while 0 <= j < len(bodies):
                other = bodies[j]
                lo, hi = (other.end, current.start) if step < 0 else (current.end, other.start)
                between = [t.lower_ for t in self.doc[lo:hi]]
                if not between or not all(w in _COORDINATION_GLUE for w in between):
                    break
                if not any(w in {"and", "or", ",", "&", "/"} for w in between):
                    break
                chain.append(other)
                current = other
                j += step
        return chain

    # --- mentions ----------------------------------------------------------------------
    def mentions(self) -> list[RawMention]:
        out: list[RawMention] = []
        resolved_before: dict[str, tuple[str, Item | None]] = {}
        for item in sorted(self.items, key=lambda i: (i.start, i.end)):
            if item.kind == "F":
                entry: FindingPhrase = item.entry
                defaults = {
                    k: getattr(entry, k)
                    for k in ("side", "severity", "positional", "pattern", "trend")
                    if getattr(entry, k) is not None
                }
                for code in entry.codes:
                    out.append(
                        RawMention(
                            code=self._code(code),
                            base_present=entry.present,
                            anchor=item,
                            body=None,
                            rule=f"findings:{entry.id}",
                            char_start=item.span.start_char,
                            char_end=item.span.end_char,
                            defaults=defaults,
                        )
                    )
            elif item.kind == "S":
                symptom: Symptom = item.entry
                resolved = self._resolve_body(item, resolved_before)
                if resolved and resolved[0][1] is not None:
                    resolved_before[symptom.id] = resolved[0]
                for group, body in resolved:
                    start = min(item.span.start_char, body.span.start_char if body else 10**9)
                    end = max(item.span.end_char, body.span.end_char if body else 0)
                    defaults = {
                        k: getattr(symptom, k)
                        for k in ("severity", "pattern")
                        if getattr(symptom, k) is not None
                    }
                    if body is not None and body.entry.side is not None:
                        defaults["body_side"] = body.entry.side
                    for code in symptom.codes.get(group, []):
                        out.append(
                            RawMention(
                                code=self._code(code),
                                base_present=symptom.present,
                                anchor=item,
                                body=body,
                                rule=f"symptoms:{symptom.id}+body_parts:{body.entry.id if body else group}",
                                char_start=start,
                                char_end=end,
                                defaults=defaults,
                            )
                        )
            elif item.kind == "M":
                measurement: Measurement = item.entry
                sent = self.sents[item.sent]
                limit = min(sent.end_char, item.span.start_char + measurement.window_chars + 40)
                reading = read_measurement(
                    measurement,
                    self.doc.text,
                    item.span.start_char,
                    max(item.span.end_char, item.span.start_char),
                    max(limit, item.span.end_char),
                )
                if reading is None:
                    continue
                out.append(
                    RawMention(
                        code=measurement.code,
                        base_present=self._measured_present(measurement, reading),
                        anchor=item,
                        body=None,
                        rule=f"measurements:{measurement.id}",
                        char_start=item.span.start_char,
                        char_end=max(item.span.end_char, reading.end),
                        reading=reading,
                    )
                )
        return out

    def _code(self, code: str) -> str:
        return self.level_pain if code == LEVEL_PAIN else code

    def _measured_present(self, measurement: Measurement, reading: Reading) -> bool:
        if measurement.kind == "temperature" and reading.value is not None:
            celsius = reading.value
            if reading.unit == "F":
                celsius = (reading.value - 32.0) * 5.0 / 9.0
            return celsius >= self.lexicon.fever.celsius
        return True

    # --- ConText -----------------------------------------------------------------------
    def _cue(self, modifier: Any) -> Cue:
        start, end = modifier.modifier_span
        meta = modifier.rule.metadata or {}
        return Cue(
            category=_CUE_NAMES[modifier.category],  # type: ignore[arg-type]
            text=self.doc[start:end].text,
            span=self._token_span(start, end),
            rule=str(meta.get("cue_id", modifier.rule.literal)),
        )

    def _assess(self, raw: RawMention) -> tuple[bool | None, bool, bool, Cue | None]:
        """(present, counted, historical, deciding cue) for one mention."""
        by_category: dict[str, Any] = {}
        anchor = raw.anchor
        modifiers = list(anchor.modifiers)
        if raw.body is not None:
            # Whose symptom it is, and whether it is only a "what if", can be said of the body
            # region too ("if my legs go weak", "my husband's legs are weak").
            modifiers += [
                m for m in raw.body.modifiers if m.category in (OTHER_PERSON, HYPOTHETICAL)
            ]
        for modifier in modifiers:
            category = modifier.category
            if category not in _CUE_NAMES or id(modifier) in self.hidden:
                continue
            start, end = modifier.modifier_span
            distance = _gap(start, end, anchor.start, anchor.end)
            best = by_category.get(category)
            if best is None or distance < best[0]:
                by_category[category] = (distance, modifier)
        present = raw.base_present
        if present is False and NEGATED in by_category and by_category[NEGATED][0] > 2:
            # A normal statement is negated only by a cue right beside it ("not peeing
            # normally"), not by a list negation further back ("no stiff neck, light is fine").
            del by_category[NEGATED]
        counted = True
        historical = HISTORICAL in by_category
        deciding = None
        for category in _CUE_PRIORITY:
            if category in by_category:
                deciding = by_category[category][1]
                break
        if OTHER_PERSON in by_category or HYPOTHETICAL in by_category:
            counted = False
        elif UNCERTAIN in by_category:
            present = None
        elif NEGATED in by_category and anchor.kind != "M":
            present = {True: False, None: False, False: None}[present]
        elif NEGATED in by_category:
            deciding = by_category.get(HISTORICAL, (0, None))[1]
        cue = self._cue(deciding) if deciding is not None else None
        return present, counted, historical, cue

    # --- attributes --------------------------------------------------------------------
    def _attr_values(self) -> list[AttrValue]:
        values = []
        for item in self.items:
            if item.kind != "A":
                continue
            cue: AttributeCue = item.entry
            categories = {m.category for m in item.modifiers if id(m) not in self.hidden}
            value: Any = cue.value
            if cue.attribute in ("nrs", "duration") or (
                cue.attribute == "onset_anchor" and value is None
            ):
                value = self._attr_number(item)
                if value is None:
                    continue
            negated = NEGATED in categories
            unsure = UNCERTAIN in categories or HYPOTHETICAL in categories
            if cue.attribute == "trend":
                if negated:
                    value = "stable" if value in ("improving", "worsening", "resolved") else None
                elif unsure and value in ("improving", "resolved"):
                    # "maybe getting better" is not counted as improvement.
                    value = None
            elif cue.attribute == "positional":
                if negated:
                    value = not value
            elif negated:
                value = None
            if value is None:
                continue
            values.append(AttrValue(item, cue.attribute, value))
        return values

    def _attr_number(self, item: Item) -> float | None:
        cue: AttributeCue = item.entry
        text = item.span.text
        for r in cue.regex:
            m = re.search(r.pattern, text, re.IGNORECASE)
            if m is None:
                continue
            if cue.attribute == "nrs":
                try:
                    return float(m.group("num"))
                except (IndexError, ValueError):
                    return None
            return parse_amount(self.settings, m.group(0))
        return None

    def _nearest(
        self,
        raw: RawMention,
        values: list[AttrValue],
        attribute: str,
        *,
        anchors: list[Item],
    ) -> AttrValue | None:
        candidates = [
            v
            for v in values
            if v.attribute == attribute
            and (not v.item.entry.applies_to or raw.code in v.item.entry.applies_to)
        ]
        if not candidates:
            return None
        anchor = raw.anchor
        clause = self.clause_of[anchor.start]

        def distance(v: AttrValue) -> int:
            return min(_gap(v.item.start, v.item.end, a.start, a.end) for a in anchors)

        in_clause = [
            v
            for v in candidates
            if v.item.sent == anchor.sent
            and self.clause_of[v.item.start] == clause
            and distance(v) <= v.item.entry.max_distance
        ]
        fallback = _SENTENCE_FALLBACK.get(attribute)
        in_sentence = [
            v
            for v in candidates
            if v.item.sent == anchor.sent
            and (
                (v.item.entry.scope == "sentence" and distance(v) <= v.item.entry.max_distance)
                or (fallback is not None and distance(v) <= fallback)
            )
        ]
        # Weak cues ("still") count only inside the clause, and only when nothing clearer is
        # said in the sentence.
        for pool in (
            [v for v in in_clause if not v.item.entry.weak],
            [v for v in in_sentence if not v.item.entry.weak],
            in_clause,
        ):
            if pool:
                return min(pool, key=distance)
        return None

    def _attributes(
        self, raw: RawMention, values: list[AttrValue], historical: bool
    ) -> tuple[dict[str, Any], bool]:
        attrs: dict[str, Any] = {}
        anchors = [raw.anchor] + ([raw.body] if raw.body is not None else [])
        # Side: a side word next to the body region first ("left leg"), then near the symptom.
        side = None
        if raw.body is not None:
            near_body = self._nearest(raw, values, "side", anchors=[raw.body])
            if (
                near_body is not None
                and _gap(near_body.item.start, near_body.item.end, raw.body.start, raw.body.end)
                <= 2
            ):
                side = near_body.value
        if side is None and "body_side" in raw.defaults:
            side = raw.defaults["body_side"]
        if side is None:
            found = self._nearest(raw, values, "side", anchors=anchors)
            side = found.value if found is not None else raw.defaults.get("side")
        if side is not None and (self.side_codes is None or raw.code in self.side_codes):
            attrs["side"] = side
        for name in ("trend", "severity", "positional"):
            found = self._nearest(raw, values, name, anchors=anchors)
            if found is not None:
                attrs[name] = found.value
            elif name in raw.defaults:
                attrs[name] = raw.defaults[name]
        # A severity written into the phrase itself ("can't stand up") outranks a nearby word.
        if "severity" in raw.defaults:
            attrs["severity"] = max(
                (attrs.get("severity"), raw.defaults["severity"]),
                key=lambda s: _SEVERITY_ORDER.get(s, -1),
            )
        if "pattern" in raw.defaults:
            attrs["pattern"] = raw.defaults["pattern"]
        nrs = self._nearest(raw, values, "nrs", anchors=anchors)
        if nrs is not None and (self.nrs_codes is None or raw.code in self.nrs_codes):
            attrs["nrs"] = nrs.value
        onset = self._onset(raw, values, anchors, historical)
        if onset is not None:
            attrs["onset_hours"] = onset
            historical = historical or onset < 0
        return attrs, historical

    def _onset(
        self, raw: RawMention, values: list[AttrValue], anchors: list[Item], historical: bool
    ) -> float | None:
        duration = self._nearest(raw, values, "duration", anchors=anchors)
        if duration is not None and not self._says_since(duration.item):
            # "numb for about an hour afterwards" says how long it lasted, not since when.
            duration = None
        if historical:
            if duration is not None and self.hours_since is not None:
                onset = self.hours_since - float(duration.value)
                if onset < 0:
                    return max(onset, -87600.0)
            return self.settings.historical_default_onset_hours
        anchor = self._nearest(raw, values, "onset_anchor", anchors=anchors)
        if duration is not None and self.hours_since is None:
            duration = None
        if anchor is not None and duration is not None:
            # Both in the clause: the nearer one says when this symptom began.
            def distance(v: AttrValue) -> int:
                return min(_gap(v.item.start, v.item.end, a.start, a.end) for a in anchors)

            if distance(duration) < distance(anchor):
                anchor = None
        if anchor is not None:
            return float(anchor.value)
        if duration is not None and self.hours_since is not None:
            onset = self.hours_since - float(duration.value)
            return max(onset, -87600.0)
        return None

    def _says_since(self, item: Item) -> bool:
        """A duration counts back from now only with a present (perfect) verb in its
        sentence: "has been weak for three weeks", "for the last ten days my thighs have
        become weak"."""
        sent = self.sents[item.sent]
        words = {t.lower_ for t in sent}
        return bool(words & {"have", "has", "'ve", "been", "is", "are", "am", "'m", "'s", "'re"})

    # --- combining ---------------------------------------------------------------------
    def read(self) -> tuple[list[ExtractedFinding], list[Mention]]:
        values = self._attr_values()
        read: list[ReadMention] = []
        for raw in self.mentions():
            present, counted, historical, cue = self._assess(raw)
            attrs, historical = self._attributes(raw, values, historical)
            if present is False:
                # "No numbness on the left" says nothing about a side, trend or onset.
                attrs, historical = {}, False
            read.append(ReadMention(raw, present, counted, historical, cue, attrs))
        mentions = [
            Mention(
                code=r.raw.code,
                present=r.present,
                span=self._text_span(r.raw.char_start, r.raw.char_end),
                rule=r.raw.rule,
                counted=r.counted,
                cue=r.cue,
            )
            for r in read
        ]
        by_code: dict[str, list[ReadMention]] = defaultdict(list)
        for r in read:
            if r.counted:
                by_code[r.raw.code].append(r)
        findings = [self._combine(code, group) for code, group in by_code.items()]
        findings.sort(key=lambda f: (f.span.start, f.code))
        return findings, mentions

    def _combine(self, code: str, group: list[ReadMention]) -> ExtractedFinding:
        if any(r.present is True for r in group):
            present: bool | None = True
        elif any(r.present is None for r in group):
            present = None
        else:
            present = False
        chosen = [r for r in group if r.present is present]
        first = min(chosen, key=lambda r: r.raw.char_start)
        data: dict[str, Any] = {"code": code, "present": present}

        sides = {r.attrs["side"] for r in chosen if "side" in r.attrs}
        if sides:
            data["side"] = "both" if len(sides) > 1 or "both" in sides else sides.pop()
        trends = [r.attrs["trend"] for r in chosen if "trend" in r.attrs]
        if trends:
            data["trend"] = max(trends, key=lambda t: _TREND_ORDER[t])
        severities = [r.attrs["severity"] for r in chosen if "severity" in r.attrs]
        if severities:
            data["severity"] = max(severities, key=lambda s: _SEVERITY_ORDER[s])
        scores = [r.attrs["nrs"] for r in chosen if "nrs" in r.attrs]
        if scores:
            data["nrs"] = max(scores)
        positional = [r.attrs["positional"] for r in chosen if "positional" in r.attrs]
        if positional:
            data["positional"] = any(positional)
        pattern = next((r.attrs["pattern"] for r in chosen if "pattern" in r.attrs), None)
        if pattern is not None:
            data["pattern"] = pattern
        # Pre-existing only if every mention says so; otherwise the earliest stated onset.
        if all(r.historical for r in chosen):
            onsets = [r.attrs["onset_hours"] for r in chosen if "onset_hours" in r.attrs]
            data["historical"] = True
            data["onset_hours"] = min(onsets) if onsets else None
        else:
            onsets = [
                r.attrs["onset_hours"]
                for r in chosen
                if not r.historical and "onset_hours" in r.attrs
            ]
            if onsets:
                data["onset_hours"] = min(onsets)
        readings = [r.raw.reading for r in chosen if r.raw.reading is not None]
        if not readings:
            readings = [r.raw.reading for r in group if r.raw.reading is not None]
        if readings:
            best = max(
                readings,
                key=lambda rd: (
                    rd.systolic if rd.systolic is not None else _canonical(rd.value, rd.unit)
                ),
            )
            for name in ("value", "unit", "systolic", "diastolic"):
                if getattr(best, name) is not None:
                    data[name] = getattr(best, name)
            if best.unit == "mmHg":
                data.pop("unit", None)
        data["span"] = self._text_span(first.raw.char_start, first.raw.char_end)
        data["cue"] = first.cue
        data["mentions"] = len(group)
        return ExtractedFinding.model_validate(data)


def _canonical(value: float | None, unit: str | None) -> float:
    if value is None:
        return 0.0
    if unit == "mmol/L":
        return value * 18.016
    if unit == "F":
        return (value - 32.0) * 5.0 / 9.0
    return value
