"""How well a group's answer makes a key point: a score from 0 to 100, in English or French.

Plain functions over strings, so the score can be computed once when an answer is stored (and
in a migration, from historical models) and measured on the paraphrase set in `tests/`.

Both texts are reduced to their meaningful words: lowercase, accents folded, stop words of
either language removed, and a crude suffix stemming that makes "informations", "information"
and "informed" one word. A group rarely repeats a paragraph; it says one of its ideas in a few
words of its own, so the score asks how much of the *answer* the point contains, weighting each
word by how specific it is to this point among the activity's points ("police" says little in
a lesson about policing). A point's own matching words (`keywords`), when the content gives
them, are matched on their own.
"""

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

MARKUP = re.compile(r"[*_`#>\[\]()]")
WORD = re.compile(r"[a-z0-9]+")

# Folded (no accents), as `words` compares them.
ENGLISH_STOP_WORDS = """
a about above after again all alone also am an and any are as at be been before being between
both but by can cannot could did do does doing during each either eg etc every few for from
further get gets getting give given gives giving got had has have having he her here hers him
his how i ie if in into is it its itself just made make makes making may me might more most
much must my no nor not of off on once only or other our ours out over own same shall she
should so some such than that the their theirs them then there these they this those through
thus to too under until up upon us very via was we were what when where whether which while
who whom why will with within without would you your yours
"""
FRENCH_STOP_WORDS = """
a afin ai aie ainsi alors apres au aucun aupres aussi autre autres aux avaient avait avec
avoir ayant beaucoup bien c ca ce ceci cela celle celles celui ces cet cette ceux chaque comme
comment d dans de des deja depuis donc dont du elle elles en encore entre est et etaient etait
etant ete etre eu eux faire fait font il ils j je l la le les leur leurs lors lorsque lui m ma
mais me meme memes mes moi moins mon n ne ni nos notre nous obtenir obtient obtiennent on ont
ou par parce pas permet permettent peu peut peuvent plus pour pourquoi qu quand que quel quelle
quelles quels qui quoi s sa sans se selon ses si son sont sous sur ta te tes toi ton tous tout
toute toutes tres tu un une unes uns vers voici voila vos votre vous y
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS.split() + FRENCH_STOP_WORDS.split())

# Longest first, so "ations" goes before "s"; shared by both languages, accents folded.
SUFFIX_LIST = """
issements issement ements ement ations ation itions ition ities ity ites ite ances ance ences
ence ments ment ings ing ness ives ive ifs if ions ion ers er eurs eur euses euse trices trice
ies ied ees ee es ed e s x ly al aux ique iques ismes isme istes iste able ables ible ibles
"""
SUFFIXES = tuple(sorted(SUFFIX_LIST.split(), key=len, reverse=True))
MIN_STEM = 4

SUGGEST_AT = 70
"""A score at or above this is shown to the instructor as "probably covered"."""

MIN_ANSWER_WORDS = 2
"""Fewer meaningful words than this say too little to judge a point by its text."""

MIN_SHARED_WORDS = 2
"""An answer shares at least this many specific words with a point before it can cover it."""


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The meaningful words of `text`, stemmed, in order."""
    found = WORD.findall(fold(MARKUP.sub(" ", text)).replace("'", " ").replace("’", " "))
    return [stem(word) for word in found if word not in STOP_WORDS and len(word) > 1]


class Vocabulary:
    """The words of an activity's points, and which of them an answer's word is: equal, or long
    and close (typos, spellings and forms the stemming missed: "neighborhood", "neighbourhood";
    "deter", "deterrent"). Kept per word, as answers to one activity share most words."""

    CACHE_SIZE = 50_000

    def __init__(self, stems: Iterable[str]) -> None:
        self.stems = frozenset(stems)
        self.long = [word for word in self.stems if len(word) >= 5]
        self.known: dict[str, frozenset[str]] = {}

    def same_as(self, answer_word: str) -> frozenset[str]:
        found = self.known.get(answer_word)
        if found is None:
            if len(self.known) >= self.CACHE_SIZE:
                self.known.clear()
            found = self.known[answer_word] = self.lookup(answer_word)
        return found

    def lookup(self, answer_word: str) -> frozenset[str]:
        exact = {answer_word} & self.stems
        if len(answer_word) < 5:
            return frozenset(exact)
        close = process.extract(
            answer_word, self.long, scorer=fuzz.ratio, score_cutoff=85, limit=None
        )
        prefixed = (
            word
            for word in self.long
            if word.startswith(answer_word) or answer_word.startswith(word)
        )
        return frozenset(exact | {word for word, _, _ in close} | set(prefixed))


@dataclass(frozen=True)
class PointWords:
    """A key point made ready for matching: its words, their weights and its matching words."""

    stems: frozenset[str]
    label: str
    keywords: tuple[str, ...]
    weights: dict[str, float]
    unknown_weight: float
    specific_at: float
    vocabulary: Vocabulary

    def weight(self, stem: str) -> float:
        return self.weights.get(stem, self.unknown_weight)

    def word_for(self, answer_word: str) -> str | None:
        """The point's word that `answer_word` is, if any."""
        if answer_word in self.stems:
            return answer_word
        return next(iter(self.vocabulary.same_as(answer_word) & self.stems), None)


def label_words(text: str) -> str:
    """A point's bold heading, when it has one: the point's name in the lesson's words (its
    number left out)."""
    bold = re.search(r"\*\*(.+?)\*\*", text)
    return " ".join(word for word in words(bold[1]) if not word.isdigit()) if bold else ""


def prepare(points: Sequence[tuple[str, Sequence[str]]]) -> list[PointWords]:
    """The activity's points, `(text, keywords)` each, with word weights taken across them all:
    a word in every point weighs little, a word in this point alone weighs most."""
    stems = [frozenset(words(text)) for text, _ in points]
    count = len(points)
    frequency: dict[str, int] = {}
    for point_stems in stems:
        for word in point_stems:
            frequency[word] = frequency.get(word, 0) + 1
    weights = {word: math.log((count + 1) / (n + 0.5)) + 0.2 for word, n in frequency.items()}
    in_one_point = math.log((count + 1) / 1.5) + 0.2
    vocabulary = Vocabulary(frequency)
    return [
        PointWords(
            stems=point_stems,
            label=label_words(text),
            keywords=tuple(" ".join(words(k)) for k in keywords if words(k)),
            weights=weights,
            # A word no point uses counts against the match, but less than a word of another
            # point: groups say things in their own words.
            unknown_weight=in_one_point * 0.6,
            specific_at=in_one_point * 0.5,
            vocabulary=vocabulary,
        )
        for (text, keywords), point_stems in zip(points, stems, strict=True)
    ]


def text_score(answer: list[str], point: PointWords) -> float:
    """How much of the answer, by weight, the point contains."""
    unique = list(dict.fromkeys(answer))
    matched = [word for word in unique if point.word_for(word)]
    specific = [word for word in matched if point.weight(word) >= point.specific_at]
    if len(matched) < MIN_SHARED_WORDS or not specific:
        return 0.0
    total = sum(point.weight(word) for word in unique)
    return 100 * sum(point.weight(word) for word in matched) / total


def score(answer_text: str, point: PointWords) -> int:
    """0-100: how surely `answer_text` makes `point`."""
    return score_words(words(answer_text), point)


def score_words(answer: list[str], point: PointWords) -> int:
    joined = " ".join(answer)
    scores = [fuzz.partial_ratio(keyword, joined) for keyword in point.keywords if joined]
    if len(answer) >= MIN_ANSWER_WORDS:
        if point.label:
            spelled_as_point = " ".join(point.word_for(word) or word for word in answer)
            scores.append(fuzz.token_set_ratio(point.label, spelled_as_point))
        scores.append(text_score(answer, point))
    return round(max(scores, default=0))


PointSource = tuple[int, str, tuple[str, ...]]
"""A key point as stored: its id, its text and its matching words."""


@lru_cache(maxsize=256)
def prepared(points: tuple[PointSource, ...]) -> tuple[tuple[int, PointWords], ...]:
    """`prepare`, kept per process for each activity's points as they are: answers to one
    activity arrive by the hundred, and a point edited in a draft is a different key."""
    ready = prepare([(text, keywords) for _, text, keywords in points])
    return tuple(zip((pk for pk, _, _ in points), ready, strict=True))


def matches(answer_text: str, points: tuple[PointSource, ...], floor: int) -> list[tuple[int, int]]:
    """`(point id, score)` for each point the answer scores at least `floor` on."""
    answer = words(answer_text)
    found = ((pk, score_words(answer, point)) for pk, point in prepared(points))
    return [(pk, value) for pk, value in found if value >= floor]
