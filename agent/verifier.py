"""The verifier: every sentence shown to a shopper is checked against the evidence.

A sentence passes only if
1. it carries at least one citation, and every citation names a record in the
   evidence given for this explanation;
2. every number it states (prices, ratings, counts) appears in the cited
   records;
3. every product name or brand of the catalog it mentions appears in the cited
   records;
4. a sentence that says it meets the shopper's request quotes words the shopper
   said and a cited fact that meets them (agent.needs.check_request);
5. it is semantically supported by the cited claims: embedding similarity to
   the closest cited claim is at least a calibrated threshold (when a
   similarity function is configured).
A sentence that fails is replaced by the template text of the claim it cites
(or of the next unused claim); the reply records, per sentence, whether it is
model-written or template, and why a model sentence was rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from tools.results import EvidenceLedger

CITATION_RE = re.compile(r"\[([PRHCST][A-Za-z0-9_\-]{1,40}(?:\.[A-Za-z0-9_\-]{1,12})?)\]")
_BOUNDARY_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\s*\n+\s*")
_BULLET_RE = re.compile(r"^(?:[-*•]|\d+[.)])\s+")
_LEADING_CITATIONS_RE = re.compile(r"^\s*((?:\[[^\]]+\]\s*)+)")
_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![A-Za-z])\d+(?:\.\d+)?")
Similarity = Callable[[str, Sequence[str]], float]


@dataclass(slots=True)
class Claim:
    """A short sentence built from evidence, with its citations (the template text)."""

    text: str
    citations: list[str]  # ids without brackets
    kind: str = "fit"  # fit | history | social | review | profile
    product_id: str | None = None

    def render(self) -> str:
        return f"{self.text} " + "".join(f"[{c}]" for c in self.citations)


@dataclass(slots=True)
class CheckedSentence:
    text: str
    citations: list[str]
    source: Literal["model", "template"]
    reasons: list[str] = field(default_factory=list)  # why a model sentence was replaced


@dataclass(slots=True)
class Verdict:
    sentences: list[CheckedSentence]
    model_sentences: int  # how many sentences the model wrote
    model_passed: int  # how many of those passed

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


@dataclass
class Verifier:
    """Checks sentences against a turn's evidence ledger."""

    ledger: EvidenceLedger
    known_names: Iterable[str] = ()  # brands and product titles of the catalog
    similarity: Similarity | None = None
    threshold: float = 0.5
    # The shopper's messages: a sentence that claims to meet their request must quote
    # their own words and a cited fact that meets them (agent.needs.check_request).
    # None: request claims are not checked.
    said: Sequence[str] | None = None
    need_similarity: Similarity | None = None  # defaults to `similarity`
    # a Chinese word's English words in the catalog (Agent.translate), for request claims
    translate: Callable[[str], Sequence[str]] | None = None
    _names: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        names = {n.strip() for n in self.known_names if n and len(n.strip()) >= 3}
        self._names = sorted(names, key=len, reverse=True)
        self._pattern = _names_pattern(tuple(self._names))
        self._by_key = {n.casefold(): n for n in self._names}

    def check(self, sentence: str, claims: Sequence[Claim]) -> list[str]:
        """Reasons the sentence fails (empty list: it passes)."""
        cited = CITATION_RE.findall(sentence)
        if not cited:
            return ["no citation"]
        allowed = {c for claim in claims for c in claim.citations}
        reasons = [
            f"citation [{c}] is not in the evidence"
            for c in cited
            if c not in allowed or c not in self.ledger
        ]
        if reasons:
            return reasons
        records = [self.ledger.get(c) for c in cited]
        support = " ".join(_record_text(r) for r in records if r is not None)
        body = CITATION_RE.sub(" ", sentence)
        for number in _NUMBER_RE.findall(body):
            if not _number_supported(number, support):
                reasons.append(f"number {number} is not in the cited evidence")
        lowered_support = support.casefold()
        for name in _mentioned(self._pattern, self._by_key, body):
            if not _name_supported(name, body, lowered_support):
                reasons.append(f"name {name!r} is not in the cited evidence")
        if not reasons and self.said is not None:
            from agent.needs import check_request

            similarity = self.need_similarity or self.similarity
            reasons += check_request(
                sentence, self.said, support, similarity, translate=self.translate
            )
        if not reasons and self.similarity is not None:
            cited_claims = [c.text for c in claims if set(c.citations) & set(cited)]
            score = self.similarity(body.strip(), cited_claims) if cited_claims else 0.0
            if score < self.threshold:
                reasons.append(f"not supported by the cited claims (similarity {score:.2f})")
        return reasons

    def verify(self, text: str, claims: Sequence[Claim]) -> Verdict:
        """Check a model-written explanation; replace failing sentences by templates.

        At most one sentence per claim is shown (a rambling model is cut short, and
        what is cut counts as failed), and every claim the model left out is added
        as its template, so the explanation always covers all its claims.
        """
        check = self.start(claims)
        for sentence in split_sentences(text):
            check.add(sentence)
        return check.finish()

    def start(
        self, claims: Sequence[Claim], show: Callable[[CheckedSentence], None] | None = None
    ) -> Checking:
        """Check an explanation sentence by sentence as the model writes it; `show`
        receives each sentence of the explanation as soon as it is final."""
        return Checking(self, list(claims), show)


@dataclass
class Checking:
    """One explanation being verified while it streams: `add` each finished sentence
    (what it returns, also handed to `show`, is final), `full` says when more text
    would not be shown, `finish` adds the claims left out and gives the verdict."""

    verifier: Verifier
    claims: list[Claim]
    show: Callable[[CheckedSentence], None] | None = None
    out: list[CheckedSentence] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    written: int = 0
    passed: int = 0

    @property
    def full(self) -> bool:
        return len(self.out) >= len(self.claims)

    def add(self, sentence: str) -> CheckedSentence | None:
        self.written += 1
        if self.full:
            return None  # beyond the length of the explanation: not shown, not passed
        claims = self.claims
        reasons = self.verifier.check(sentence, claims)
        cited = CITATION_RE.findall(sentence)
        if not reasons:
            self.passed += 1
            self.used.update(i for i, c in enumerate(claims) if set(c.citations) & set(cited))
            return self._append(CheckedSentence(sentence, cited, "model"))
        index = _replacement(claims, cited, self.used)
        if index is None:
            return None
        self.used.add(index)
        claim = claims[index]
        return self._append(
            CheckedSentence(claim.render(), list(claim.citations), "template", reasons)
        )

    def finish(self, reason: str = "claim left out by the model") -> Verdict:
        """The verdict, with every claim not yet covered added as its template."""
        for i, claim in enumerate(self.claims):
            if i not in self.used and not self.full:
                self.used.add(i)
                self._append(
                    CheckedSentence(claim.render(), list(claim.citations), "template", [reason])
                )
        return Verdict(self.out, self.written, self.passed)

    def _append(self, sentence: CheckedSentence) -> CheckedSentence:
        self.out.append(sentence)
        if self.show is not None:
            self.show(sentence)
        return sentence


def template_verdict(claims: Sequence[Claim]) -> Verdict:
    """The explanation made of the claims' own template sentences."""
    return Verdict(
        [CheckedSentence(c.render(), list(c.citations), "template") for c in claims], 0, 0
    )


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing citations kept attached (English and Chinese).

    A period ends a sentence only before whitespace, so prices like 99.99 stay whole.
    """
    out: list[str] = []
    text = "\n".join(_BULLET_RE.sub("", line.strip()) for line in (text or "").splitlines())
    for part in _BOUNDARY_RE.split(text):
        lead = _LEADING_CITATIONS_RE.match(part)
        if lead and out:
            out[-1] += " " + " ".join(lead.group(1).split())
            part = part[lead.end() :]
        if part.strip():
            out.append(part.strip())
    return out


@dataclass
class SentenceStream:
    """Cuts streamed model text into sentences as soon as each one is complete.

    A sentence is complete once text that is not one of its citations follows it,
    so citations written after the full stop ("... waterproof. [P12]") stay with it.
    """

    text: str = ""
    given: int = 0

    def feed(self, piece: str) -> list[str]:
        self.text += piece
        parts = split_sentences(self.text)
        hold = 2 if len(parts) > 1 and parts[-1].startswith("[") else 1
        return self._take(parts[: max(len(parts) - hold, 0)])

    def close(self) -> list[str]:
        return self._take(split_sentences(self.text))

    def _take(self, complete: list[str]) -> list[str]:
        new = complete[self.given :]
        self.given = max(self.given, len(complete))
        return new


def _record_text(record) -> str:
    values = [record.text]
    for value in record.data.values():
        if isinstance(value, dict):
            values.extend(str(v) for v in value.values())
        elif isinstance(value, list | tuple):
            values.extend(str(v) for v in value)
        elif value is not None:
            values.append(str(value))
    return " ".join(values)


def _number_supported(number: str, support: str) -> bool:
    try:
        value = float(number.replace(",", ""))
    except ValueError:
        return False
    for candidate in _NUMBER_RE.findall(support):
        try:
            if abs(float(candidate.replace(",", "")) - value) < 0.005:
                return True
        except ValueError:
            continue
    return False


def _replacement(claims: Sequence[Claim], cited: list[str], used: set[int]) -> int | None:
    for i, claim in enumerate(claims):
        if i not in used and set(claim.citations) & set(cited):
            return i
    for i in range(len(claims)):
        if i not in used:
            return i
    return None


@lru_cache(maxsize=16)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for all catalog names (longest first, so a title wins over the brand
    it starts with), compiled once per catalog rather than once per name and sentence."""
    if not names:
        return None
    alternatives = "|".join(re.escape(n.casefold()) for n in names)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])")


# Abbreviations whose period may also end the sentence: "made by Acme, Inc." names
# "Acme, Inc" when that is the catalog's spelling.
_ABBREVIATIONS = frozenset(
    ["inc", "ltd", "co", "corp", "llc", "plc", "bros", "jr", "sr", "no", "dept", "intl", "mfg"]
)


def _name_supported(name: str, body: str, lowered_support: str) -> bool:
    """The name is in the cited records; a period after an abbreviation at the end of
    the sentence is punctuation, not part of the name."""
    key = name.casefold()
    if key in lowered_support:
        return True
    stem = key[:-1]
    if not key.endswith(".") or stem.rsplit(None, 1)[-1].strip(",") not in _ABBREVIATIONS:
        return False
    ends_sentence = re.search(rf"{re.escape(stem)}\.\s*$", body.casefold().rstrip())
    return bool(ends_sentence) and stem in lowered_support


def _mentioned(pattern: re.Pattern | None, by_key: dict[str, str], body: str) -> list[str]:
    """Catalog names the sentence mentions, none of them part of another one found."""
    if pattern is None:
        return []
    found: list[str] = []
    for m in pattern.finditer(body.casefold()):
        name = by_key.get(m.group(0))
        if name is not None and not any(name.casefold() in f.casefold() for f in found):
            found.append(name)
    return found
