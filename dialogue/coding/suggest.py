"""Suggestions: for each contribution, the three building blocks it most likely belongs to, with a score.

Once analysts have confirmed enough codes (MIN_CODED coded contributions over at least MIN_BLOCKS
blocks), a model learns from them: TF-IDF over Snowball-stemmed words and word pairs (the stemmer
chosen by the contribution's language) and one logistic regression per block (one-vs-rest), whose
probabilities are the scores. Before that, keyword lists stand in: the stemmed words of each block's
title and text in all its languages, scored by how many of them a contribution shares.

Every run measures itself on codes it did not learn from: a fixed fifth of the coded contributions is
held out, the model trained on the rest, and precision at 3 (the share of the three suggestions that
an analyst had confirmed) is kept in a `SuggestionRun` together with the keyword lists' figure on the
same contributions. Then the model is trained on all codes and every contribution gets its three.

Suggestions live in `Suggestion`, apart from `Coding`: they never count as codes until an analyst
confirms one. Functions flush; callers commit.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import snowballstemmer
import sqlalchemy as sa

from dialogue.coding.models import Coding, Contribution, Suggestion, SuggestionRun
from dialogue.coding.services import codable_nodes
from dialogue.core.base import utcnow
from dialogue.extensions import db
from dialogue.vision.models import Vision, VisionNode

TOP = 3
#: fewer coded contributions than this, or codes on fewer blocks, and the keyword lists are used
MIN_CODED = 20
MIN_BLOCKS = 2
HOLD_OUT = 0.2
SEED = 2012

STEMMERS = {"sv": "swedish", "da": "danish", "en": "english"}
# Words too common to tell blocks apart; the stemmed keyword lists would otherwise match everything.
STOP_WORDS = {
    "sv": set("""alla allt att av bara blir bli de dem den denna deras dess det detta dig din ditt du där efter
        eller en ett fler för från får ha har hade han hans hela henne hon här i in inte jag kan kommer man med
        men mer mig min mitt mot mycket ni nu när någon något och om oss på sig sin sitt ska skulle som så till
        under upp ut vad var vara vi vid vill än är över också mer många finns bra""".split()),
    "da": set("""alle alt at af bare blive bliver de dem den denne deres dens det dette dig din dit du der efter
        eller en et flere for fra få have har havde han hans hele hende hun her i ind ikke jeg kan kommer man
        med men mere mig min mit mod meget i nu når nogen noget og om os på sig sin sit skal skulle som så til
        under op ud hvad var være vi ved vil end er over også mange findes god godt""".split()),
    "en": set("""a all an and are as at be been but by can do for from get has have he her here his how i if in
        into is it its me more most much my no not of on or our out so some than that the their them there
        they this to too up us was we were what when where which who will with would you your also many""".split()),
}
TOKEN = re.compile(r"[^\W\d_]+")


class Stemmer:
    """Stems words per language, each distinct word once: the pure-Python stemmers are slow."""

    def __init__(self, default_language: str) -> None:
        self.default = default_language if default_language in STEMMERS else "sv"
        self._stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in STEMMERS.items()}
        self._cache: dict[str, dict[str, str]] = {lang: {} for lang in STEMMERS}

    def language(self, language: str | None) -> str:
        return language if language in STEMMERS else self.default

    def words(self, text: str, language: str | None) -> list[str]:
        """The text's stemmed words, stop words left out."""
        lang = self.language(language)
        cache, stop = self._cache[lang], STOP_WORDS[lang]
        stems = []
        for word in TOKEN.findall(text.lower()):
            if len(word) < 2 or word in stop:
                continue
            stem = cache.get(word)
            if stem is None:
                stem = cache[word] = self._stemmers[lang].stemWord(word)
            stems.append(stem)
        return stems


class Keywords:
    """Keyword lists per block, from its title and text in every language it has."""

    #: a keyword this long or longer also matches as a part of a compound ("skol" in "skolgården",
    #: "trafik" in "kollektivtrafik"); a resident's short word never matches the start of a keyword,
    #: or "kommun" would suggest "kommunikationer"
    PART = 4

    def __init__(self, nodes: Sequence[VisionNode], stemmer: Stemmer) -> None:
        words_of: dict[int, set[str]] = {}
        for node in nodes:
            words: set[str] = set()
            for field in (node.title or {}, node.text or {}):
                for lang, text in field.items():
                    words.update(stemmer.words(str(text), lang))
            words_of[node.id] = words
        spread = Counter(word for words in words_of.values() for word in words)
        # a word that many blocks share says little about any one of them
        self.weights = {node_id: {w: 1.0 / spread[w] for w in words} for node_id, words in words_of.items()}
        self.norms = {node_id: math.sqrt(len(words)) or 1.0 for node_id, words in words_of.items()}
        self._keywords = sorted({w for words in words_of.values() for w in words})
        self._matches: dict[str, list[str]] = {}

    def _match(self, token: str) -> list[str]:
        found = self._matches.get(token)
        if found is None:
            found = [k for k in self._keywords
                     if k == token or (len(k) >= self.PART and (token.startswith(k) or token.endswith(k)))]
            self._matches[token] = found
        return found

    def scores(self, stems: Iterable[str]) -> dict[int, float]:
        matched = {k for token in set(stems) for k in self._match(token)}
        if not matched:
            return {}
        scores = {}
        for node_id, weights in self.weights.items():
            total = sum(weights[k] for k in matched if k in weights)
            if total:
                scores[node_id] = total / self.norms[node_id]
        return scores

    def top(self, stems: Iterable[str]) -> list[tuple[int, float]]:
        """Up to three (block, score) pairs, best first; a score is in (0, 1]."""
        scores = self.scores(stems)
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:TOP]
        if not best:
            return []
        high = best[0][1]
        # scale to the best block so that scores read like the model's probabilities, with 1 on top
        return [(node_id, round(score / high, 4)) for node_id, score in best]


def _features(stems: list[str]) -> list[str]:
    """Stemmed words and neighbouring pairs ("kollektiv trafik" says more than either word)."""
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


class Model:
    """One logistic regression per block over TF-IDF features, fitted on coded contributions."""

    def __init__(self, documents: list[list[str]]) -> None:
        import numpy as np
        from sklearn.feature_extraction.text import TfidfVectorizer

        # Fitted once on every contribution (no labels are used), so words of uncoded ones weigh right too.
        self.vectorizer = TfidfVectorizer(analyzer=_features, sublinear_tf=True, min_df=1, dtype=np.float64)
        self.matrix = self.vectorizer.fit_transform(documents)

    def fit(self, rows: list[int], labels: list[set[int]]):
        """Train on the matrix *rows* with their blocks; returns a predictor, or None when too little varies."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.preprocessing import MultiLabelBinarizer

        counts = Counter(node for blocks in labels for node in blocks)
        # a block coded on none (or all) of the training rows cannot be learned from them
        classes = sorted(node for node, n in counts.items() if 0 < n < len(rows))
        if len(classes) < 2:
            return None
        binarizer = MultiLabelBinarizer(classes=classes)
        wanted = set(classes)
        target = binarizer.fit_transform([blocks & wanted for blocks in labels])
        classifier = OneVsRestClassifier(LogisticRegression(C=10.0, solver="liblinear", max_iter=1000))
        classifier.fit(self.matrix[rows], target)
        return classes, classifier

    def top(self, predictor, rows: Sequence[int] | None = None) -> list[list[tuple[int, float]]]:
        import numpy as np

        classes, classifier = predictor
        matrix = self.matrix if rows is None else self.matrix[list(rows)]
        probabilities = classifier.predict_proba(matrix)
        order = np.argsort(-probabilities, axis=1, kind="stable")[:, :TOP]
        return [[(classes[j], round(float(probabilities[i, j]), 4)) for j in order[i]] for i in range(len(order))]


def precision_at_3(tops: Iterable[list[tuple[int, float]]], truths: Iterable[set[int]]) -> float:
    """Mean over contributions of (suggested blocks an analyst confirmed) / 3."""
    values = [len({node for node, _score in top} & truth) / TOP for top, truth in zip(tops, truths, strict=True)]
    return sum(values) / len(values) if values else 0.0


def _split(coded: list[int]) -> tuple[list[int], list[int]]:
    """A fixed fifth of the coded contributions to measure on, the rest to learn from."""
    shuffled = sorted(coded)
    random.Random(SEED).shuffle(shuffled)
    size = max(1, round(len(shuffled) * HOLD_OUT))
    return shuffled[size:], shuffled[:size]


def _default_language() -> str:
    from dialogue.core.services import get_municipality_or_none

    municipality = get_municipality_or_none()
    return municipality.default_locale if municipality else "sv"


def confirmed_codes(node_ids: Iterable[int]) -> dict[int, set[int]]:
    """Active codes on *node_ids* of contributions that are not hidden: {contribution: {block, ...}}."""
    coded: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        sa.select(Coding.contribution_id, Coding.node_id)
        .join(Contribution, Contribution.id == Coding.contribution_id)
        .where(Coding.removed_at.is_(None), Coding.node_id.in_(list(node_ids)), Contribution.hidden.is_(False)))
    for contribution_id, node_id in rows:
        coded[contribution_id].add(node_id)
    return coded


def update_suggestions(vision: Vision) -> SuggestionRun:
    """Compute the three suggestions of every contribution for *vision*, replacing the last run's."""
    nodes = codable_nodes(vision)
    node_ids = [node.id for node in nodes]
    stemmer = Stemmer(_default_language())
    contributions = db.session.execute(
        sa.select(Contribution.id, Contribution.text, Contribution.language)
        .where(Contribution.hidden.is_(False)).order_by(Contribution.id)).all()
    ids = [row.id for row in contributions]
    documents = [stemmer.words(row.text, row.language) for row in contributions]
    coded = confirmed_codes(node_ids)
    keywords = Keywords(nodes, stemmer)
    row_of = {contribution_id: n for n, contribution_id in enumerate(ids)}
    coded_ids = sorted(cid for cid in coded if cid in row_of)
    codes = sum(len(coded[cid]) for cid in coded_ids)
    blocks_with_codes = {node for cid in coded_ids for node in coded[cid]}

    run = SuggestionRun(vision_id=vision.id, source="keywords", codes=codes, held_out=0, suggested=0,
                        precision_at_3=None, keyword_precision_at_3=None, best_precision_at_3=None)
    tops: list[list[tuple[int, float]]] | None = None
    if len(coded_ids) >= MIN_CODED and len(blocks_with_codes) >= MIN_BLOCKS:
        model = Model(documents)
        train, test = _split(coded_ids)
        predictor = model.fit([row_of[c] for c in train], [coded[c] for c in train])
        full = model.fit([row_of[c] for c in coded_ids], [coded[c] for c in coded_ids])
        if predictor is not None and full is not None:
            truths = [coded[c] for c in test]
            run.source, run.held_out = "model", len(test)
            run.precision_at_3 = precision_at_3(model.top(predictor, [row_of[c] for c in test]), truths)
            run.keyword_precision_at_3 = precision_at_3([keywords.top(documents[row_of[c]]) for c in test], truths)
            run.best_precision_at_3 = precision_at_3([[(n, 1.0) for n in sorted(t)[:TOP]] for t in truths], truths)
            tops = model.top(full)
    if tops is None:
        tops = [keywords.top(document) for document in documents]
        if coded_ids:
            # the keyword lists learn nothing from the codes: every coded contribution can measure them
            truths = [coded[c] for c in coded_ids]
            run.held_out = len(coded_ids)
            run.precision_at_3 = run.keyword_precision_at_3 = precision_at_3(
                [tops[row_of[c]] for c in coded_ids], truths)
            run.best_precision_at_3 = precision_at_3([[(n, 1.0) for n in sorted(t)[:TOP]] for t in truths], truths)
    _store(node_ids, ids, tops, run)
    return run


def _store(node_ids: list[int], ids: list[int], tops: list[list[tuple[int, float]]], run: SuggestionRun) -> None:
    """Replace the vision's suggestions in bulk: one DELETE, then batched multi-row INSERTs."""
    now = utcnow()
    rows = [{"contribution_id": cid, "node_id": node_id, "rank": rank, "score": score, "source": run.source,
             "created_at": now}
            for cid, top in zip(ids, tops, strict=True) for rank, (node_id, score) in enumerate(top, 1)]
    connection = db.session.connection()
    connection.execute(sa.delete(Suggestion).where(Suggestion.node_id.in_(node_ids)))
    table = Suggestion.__table__
    for start in range(0, len(rows), 20_000):
        connection.execute(table.insert(), rows[start:start + 20_000])
    run.suggested = len({row["contribution_id"] for row in rows})
    run.created_at = now
    db.session.add(run)
    db.session.flush()


def latest_run(vision: Vision) -> SuggestionRun | None:
    return db.session.scalar(sa.select(SuggestionRun).where(SuggestionRun.vision_id == vision.id)
                             .order_by(SuggestionRun.id.desc()).limit(1))


def suggestions_for(contribution_id: int, node_ids: Iterable[int]) -> list[Suggestion]:
    """The stored suggestions of one contribution among *node_ids*, best first."""
    return list(db.session.scalars(
        sa.select(Suggestion).where(Suggestion.contribution_id == contribution_id,
                                    Suggestion.node_id.in_(list(node_ids))).order_by(Suggestion.rank)))
