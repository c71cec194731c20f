"""How the suggestions are learnt and measured, apart from the database.

Text features: each word of a contribution gives its Snowball stem (in the contribution's language) and the
character n-grams of the word itself, so that "skolgården", "förskolan" and "skolor" share "skol", and a
misspelt or inflected word still shares most of its pieces. Both are TF-IDF weighted over all contributions.

Before any code (zero-shot): each block is described by its own title and text in every language, with
a lighter weight for the words of the nodes around it (the vision above, goals or indicators below). A
contribution's score for a block is the cosine between the two. The contributions themselves then sharpen
the descriptions: each block's description takes in the contributions that resemble it most, so words that
residents use beside the block's own words ("lärare" beside "skolor") count too. No code is used.

With codes (few-shot): the mean of the contributions coded to a block joins its description, with a
weight chosen by cross-validation on the codes at hand, and the rounds run again without taking in the
coded ones. (A logistic regression was tried beside it on the tune half of the evaluation set and did
no better with a few codes per block, at many times the cost.)

Measures: hits at 1 and at 3 (the share of coded contributions that have one of their blocks as the
first suggestion, or among the three), with a Wilson interval, and k-fold cross-validation so that every
coded contribution is measured by a model that did not learn from it.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import snowballstemmer
from scipy import sparse

TOP = 3
STEMMERS = {"sv": "swedish", "da": "danish", "en": "english"}
# Words too common to tell blocks apart.
STOP_WORDS = {
    "sv": set("""alla allt att av bara blir bli de dem den denna deras dess det detta dig din ditt du där efter
        eller en ett fler för från får ha har hade han hans hela henne hon här i in inte jag kan kommer man med
        men mer mig min mitt mot mycket ni nu när någon något och om oss på sig sin sitt ska skulle som så till
        under upp ut vad var vara vi vid vill än är över också många finns bra dä de int nån nåt mä typ""".split()),
    "da": set("""alle alt at af bare blive bliver de dem den denne deres dens det dette dig din dit du der efter
        eller en et flere for fra få have har havde han hans hele hende hun her i ind ikke jeg kan kommer man
        med men mere mig min mit mod meget nu når nogen noget og om os på sig sin sit skal skulle som så til
        under op ud hvad var være vi ved vil end er over også mange findes god godt""".split()),
    "en": set("""a all an and are as at be been but by can do for from get has have he her here his how i if in
        into is it its me more most much my no not of on or our out so some than that the their them there
        they this to too up us was we were what when where which who will with would you your also many""".split()),
}
TOKEN = re.compile(r"[^\W\d_]+")
# Character n-grams are taken from the word without its Nordic letters' marks, so that "foretag" (typed
# without them) meets "företag"; the stems keep them.
PLAIN = str.maketrans({"å": "a", "ä": "a", "ö": "o", "æ": "a", "ø": "o", "é": "e", "ü": "u"})


class Stemmer:
    """Stems words per language, each distinct word once: the pure-Python stemmers are slow."""

    def __init__(self, default_language: str) -> None:
        self.default = default_language if default_language in STEMMERS else "sv"
        self._stemmers = {lang: snowballstemmer.stemmer(name) for lang, name in STEMMERS.items()}
        self._cache: dict[str, dict[str, str]] = {lang: {} for lang in STEMMERS}

    def language(self, language: str | None) -> str:
        return language if language in STEMMERS else self.default

    def stem(self, word: str, language: str) -> str:
        cache = self._cache[language]
        stem = cache.get(word)
        if stem is None:
            stem = cache[word] = self._stemmers[language].stemWord(word)
        return stem

    def words(self, text: str, language: str | None) -> list[str]:
        """The text's stemmed words, stop words left out."""
        lang = self.language(language)
        stop = STOP_WORDS[lang]
        return [self.stem(word, lang) for word in TOKEN.findall(text.lower()) if len(word) > 1 and word not in stop]


def _l2(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


@dataclass(frozen=True)
class FeatureSettings:
    #: character n-grams from this length to that, within words ("<" and ">" mark the word's ends)
    ngram_min: int = 3
    ngram_max: int = 5
    #: the stems' share of a document's vector (the n-grams have the rest); cosines weigh them so
    word_weight: float = 0.5


class Features:
    """Stems and character n-grams of documents in one TF-IDF matrix, rows L2-normalised.

    Built in one pass: a document × distinct-word count matrix, times a word × stem and a word × n-gram
    matrix, so every distinct word is stemmed and cut into n-grams once however often it occurs.
    `idf_rows` are the documents the inverse document frequencies are counted over (the contributions;
    the blocks' descriptions are featurised with the same vocabulary but do not weigh it).
    """

    def __init__(self, stemmer: Stemmer, settings: FeatureSettings = FeatureSettings()) -> None:
        self.stemmer = stemmer
        self.settings = settings

    def matrix(self, documents: Sequence[tuple[str, str | None]], idf_rows: int | None = None) -> sparse.csr_matrix:
        token_ids: dict[tuple[str, str], int] = {}
        indptr = [0]
        indices: list[int] = []
        for text, language in documents:
            lang = self.stemmer.language(language)
            stop = STOP_WORDS[lang]
            for word in TOKEN.findall(text.lower()):
                if len(word) < 2 or word in stop:
                    continue
                key = (lang, word)
                token = token_ids.get(key)
                if token is None:
                    token = token_ids[key] = len(token_ids)
                indices.append(token)
            indptr.append(len(indices))
        counts = sparse.csr_matrix((np.ones(len(indices)), np.array(indices, dtype=np.int64), np.array(indptr)),
                                   shape=(len(documents), max(1, len(token_ids))))
        counts.sum_duplicates()
        stems: dict[str, int] = {}
        grams: dict[str, int] = {}
        stem_of, gram_rows, gram_cols = [], [], []
        low, high = self.settings.ngram_min, self.settings.ngram_max
        for (lang, word), token in token_ids.items():
            stem = self.stemmer.stem(word, lang)
            stem_of.append(stems.setdefault(stem, len(stems)))
            marked = f"<{word.translate(PLAIN)}>"
            for n in range(low, high + 1):
                for start in range(0, max(0, len(marked) - n) + 1):
                    gram = marked[start:start + n]
                    if len(gram) == n:
                        gram_rows.append(token)
                        gram_cols.append(grams.setdefault(gram, len(grams)))
        n_tokens = max(1, len(token_ids))
        to_stem = sparse.csr_matrix((np.ones(len(stem_of)), (np.arange(len(stem_of)), stem_of)),
                                    shape=(n_tokens, max(1, len(stems))))
        to_gram = sparse.csr_matrix((np.ones(len(gram_rows)), (gram_rows, gram_cols)),
                                    shape=(n_tokens, max(1, len(grams))))
        parts = []
        idf_rows = len(documents) if idf_rows is None else idf_rows
        for weight, link in ((self.settings.word_weight, to_stem), (1.0 - self.settings.word_weight, to_gram)):
            if weight <= 0:
                continue
            part = sparse.csr_matrix(counts @ link)
            part.data = 1.0 + np.log(part.data)  # sublinear term frequency
            df = np.bincount(part[:idf_rows].indices, minlength=part.shape[1])
            idf = np.log((1.0 + idf_rows) / (1.0 + df)) + 1.0
            part = _l2(sparse.csr_matrix(part @ sparse.diags(idf)))
            parts.append(part * math.sqrt(weight))
        return sparse.csr_matrix(sparse.hstack(parts, format="csr"))


@dataclass
class Block:
    """A node to suggest, described by its own words and, more lightly, the words of the nodes around it."""

    id: int
    own: list[tuple[str, str]] = field(default_factory=list)
    around: list[tuple[str, str]] = field(default_factory=list)


def hits(tops: Iterable[Sequence[int]], truths: Iterable[set[int]], k: int) -> int:
    """How many contributions have one of their blocks among the first *k* suggested."""
    return sum(1 for top, truth in zip(tops, truths, strict=True) if truth & set(list(top)[:k]))


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval (95 % by default) for a share of successes among *total*."""
    if total <= 0:
        return 0.0, 1.0
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def folds(items: Sequence[int], labels: Sequence[set[int]], k: int, seed: int) -> list[list[int]]:
    """*items* dealt into *k* folds, each block's contributions spread evenly over them (by first block)."""
    rng = random.Random(seed)
    order = list(range(len(items)))
    rng.shuffle(order)
    order.sort(key=lambda i: min(labels[i]) if labels[i] else -1)
    dealt: list[list[int]] = [[] for _ in range(k)]
    offset = rng.randrange(k)
    for position, i in enumerate(order):
        dealt[(position + offset) % k].append(items[i])
    return [fold for fold in dealt if fold]


#: how much the words of the nodes around a block count beside its own
AROUND_WEIGHT = 0.2
#: rounds in which each block's description takes in the contributions that resemble it most
ROUNDS = 3
#: sharpness of the soft assignment of contributions to blocks inside those rounds (on cosines)
ROUND_SHARPNESS = 0.05
#: the weight of the contributions taken in, beside the block's own description
TAKE_IN = 1.0
#: each block takes in up to half of an even share of the contributions in every round; with fewer than
#: this many to take, there are too few contributions to learn from, and no round is run
MIN_TAKE = 10
#: the weights of the coded contributions' mean beside the block's description, tried by cross-validation
CODED_WEIGHTS = (0.5, 1.0, 2.0, 4.0)
#: temperatures tried when turning cosines into likelihoods (the one that fits the held-out codes best wins)
TEMPERATURES = (0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2)
DEFAULT_TEMPERATURE = 0.05


class Suggester:
    """Scores every document against every block: the blocks' own words, sharpened by the documents,
    with the coded documents' words added when there are codes.

    *documents* are (text, language) pairs; *blocks* describe the blocks, in the order of the scores'
    columns. Codes are given as {document row: {block column, ...}}. The rounds that sharpen the
    descriptions look at a fixed random sample of at most POOL documents, so their cost does not grow
    with the number of contributions; every document is then scored once.
    """

    POOL = 20_000

    def __init__(self, documents: Sequence[tuple[str, str | None]], blocks: Sequence[Block], stemmer: Stemmer,
                 settings: FeatureSettings = FeatureSettings(), seed: int = 2012) -> None:
        texts, owners, weights = [], [], []
        for column, block in enumerate(blocks):
            for part, weight in ((block.own, 1.0), (block.around, AROUND_WEIGHT)):
                for text, language in part:
                    texts.append((text, language))
                    owners.append(column)
                    weights.append(weight)
        matrix = Features(stemmer, settings).matrix(list(documents) + texts, idf_rows=len(documents))
        n = len(documents)
        self.X = matrix[:n]
        pieces = matrix[n:]
        combine = sparse.csr_matrix((weights, (owners, np.arange(len(owners)))), shape=(len(blocks), len(owners)))
        self.B = _dense_l2(np.asarray((combine @ pieces).todense()))
        self.blocks = len(blocks)
        #: documents without a single feature get no suggestion
        self.empty = np.diff(self.X.indptr) == 0
        candidates = np.flatnonzero(~self.empty)
        if len(candidates) > self.POOL:
            candidates = np.sort(np.random.default_rng(seed).choice(candidates, self.POOL, replace=False))
        self.pool = candidates
        self.pool_X = self.X[candidates]
        self.take = len(candidates) // (2 * max(1, self.blocks))

    def scores(self, coded: dict[int, set[int]] | None = None, coded_weight: float = 1.0,
               rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """Cosines (documents × blocks, or *rows* × blocks) with the descriptions after the rounds; codes in
        *coded* count: their mean per block joins the description with *coded_weight*, and they are left
        out of what the rounds take in."""
        blocks = self.blocks
        base = self.B
        coded_rows = np.array(sorted(coded or {}), dtype=np.int64)
        if len(coded_rows):
            labels = np.zeros((len(coded_rows), blocks))
            for r, row in enumerate(coded_rows):
                labels[r, list(coded[row])] = 1.0
            counts = labels.sum(axis=0)
            means = np.asarray((sparse.csr_matrix(labels.T) @ self.X[coded_rows]).todense())
            means /= np.where(counts > 0, counts, 1.0)[:, None]
            base = base + coded_weight * _dense_l2(means)
        centroids = _dense_l2(base)
        pool_X = self.pool_X
        outside = ~np.isin(self.pool, coded_rows) if len(coded_rows) else np.ones(len(self.pool), dtype=bool)
        take = min(self.take, int(outside.sum()))
        if take >= MIN_TAKE:
            for _round in range(ROUNDS):
                similarity = pool_X @ centroids.T
                weights = _softmax(similarity, ROUND_SHARPNESS)
                ranking = np.where(outside[:, None], similarity * weights, -1.0)
                chosen = np.argpartition(-ranking, take - 1, axis=0)[:take]
                columns = np.broadcast_to(np.arange(blocks)[None, :], chosen.shape)
                values = np.where(ranking[chosen, columns] > 0, weights[chosen, columns], 0.0)
                pick = sparse.csr_matrix((values.ravel(), (columns.ravel(), chosen.ravel())),
                                         shape=(blocks, len(self.pool)))
                taken = _dense_l2(np.asarray((pick @ pool_X).todense()))
                centroids = _dense_l2(base + TAKE_IN * taken)
        matrix = self.X if rows is None else self.X[np.asarray(rows, dtype=np.int64)]
        return np.asarray(matrix @ centroids.T)


def _dense_l2(matrix: np.ndarray) -> np.ndarray:
    norms = np.sqrt((matrix * matrix).sum(axis=1, keepdims=True))
    return matrix / np.where(norms > 0, norms, 1.0)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    shifted = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
    return shifted / shifted.sum(axis=1, keepdims=True)


def likelihoods(scores: np.ndarray, temperature: float, empty: np.ndarray | None = None) -> np.ndarray:
    """Cosines turned into a likelihood per block (each row sums to 1; rows without features to 0)."""
    result = _softmax(scores, temperature)
    if empty is not None:
        result[empty] = 0.0
    return result


def top(scores: np.ndarray, k: int = TOP) -> np.ndarray:
    """The columns of the *k* highest scores per row, best first (ties: the lower column first)."""
    k = min(k, scores.shape[1])
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def fit_temperature(scores: np.ndarray, truths: Sequence[set[int]]) -> float:
    """The temperature whose likelihoods give the true blocks the highest mean log-likelihood."""
    if not len(truths):
        return DEFAULT_TEMPERATURE
    mask = np.zeros_like(scores, dtype=bool)
    for r, truth in enumerate(truths):
        mask[r, list(truth)] = True
    best, best_loss = DEFAULT_TEMPERATURE, math.inf
    for temperature in TEMPERATURES:
        probabilities = _softmax(scores, temperature)
        loss = -np.mean(np.log(np.maximum((probabilities * mask).sum(axis=1), 1e-12)))
        if loss < best_loss:
            best, best_loss = temperature, loss
    return best


@dataclass
class Tally:
    """Hits among coded contributions: in all, and per language as [evaluated, hits at 1, hits at 3]."""

    evaluated: int = 0
    hits_at_1: int = 0
    hits_at_3: int = 0
    languages: dict[str, list[int]] = field(default_factory=dict)

    def add(self, ranked: Sequence[int], truth: set[int], language: str) -> None:
        """One coded contribution whose suggestions were *ranked* (empty: it had none)."""
        ranked = list(ranked)
        first, three = int(bool(truth & set(ranked[:1]))), int(bool(truth & set(ranked[:TOP])))
        self.evaluated += 1
        self.hits_at_1 += first
        self.hits_at_3 += three
        counts = self.languages.setdefault(language, [0, 0, 0])
        counts[0] += 1
        counts[1] += first
        counts[2] += three

    def merge(self, other: Tally) -> None:
        self.evaluated += other.evaluated
        self.hits_at_1 += other.hits_at_1
        self.hits_at_3 += other.hits_at_3
        for language, counts in other.languages.items():
            mine = self.languages.setdefault(language, [0, 0, 0])
            for i, count in enumerate(counts):
                mine[i] += count

    def key(self) -> tuple[int, int]:
        """What "better" means: more hits at 3, then more hits at 1."""
        return self.hits_at_3, self.hits_at_1

    def as_dict(self) -> dict:
        def figures(evaluated: int, first: int, three: int) -> dict:
            return {"evaluated": evaluated, "hits_at_1": first, "hits_at_3": three,
                    "interval_at_1": [round(bound, 4) for bound in wilson(first, evaluated)],
                    "interval_at_3": [round(bound, 4) for bound in wilson(three, evaluated)]}

        result = figures(self.evaluated, self.hits_at_1, self.hits_at_3)
        result["languages"] = {lang: figures(*counts) for lang, counts in sorted(self.languages.items())}
        return result


@dataclass
class Outcome:
    #: "model" (learnt from the codes) or "titles" (the blocks' own words, no code used)
    source: str
    #: per document: the columns of its three suggestions, best first (none for `empty` documents)
    tops: np.ndarray
    #: per document and block: the likelihood shown beside a suggestion (rows of `empty` documents are 0)
    likelihoods: np.ndarray
    #: documents without any feature: nothing to suggest
    empty: np.ndarray
    #: how the source shown did on the coded contributions (`Tally.as_dict`), None when nothing is coded
    measure: dict | None = None
    #: the other source on the same contributions: the titles when the model is shown, the model
    #: (cross-validated) when the titles are shown because it did not beat them; None when not tried
    other: dict | None = None
    #: folds of the cross-validation (0: none; the titles learn nothing from codes and are measured on all)
    folds: int = 0
    coded_weight: float | None = None
    temperature: float = DEFAULT_TEMPERATURE
    #: the share of the three suggestions that an analyst confirmed, on the measured contributions
    precision_at_3: float | None = None
    #: the same for the titles, on every coded contribution
    titles_precision_at_3: float | None = None


def cross_validate(suggester: Suggester, coded: dict[int, set[int]], k: int, seed: int,
                   weights: Sequence[float] = CODED_WEIGHTS) -> tuple[dict[float, np.ndarray], list[list[int]]]:
    """Held-out cosines of the coded documents, per coded weight, in *k* folds: each fold is scored by
    descriptions built from the other folds' codes. Returns ({weight: rows × blocks}, folds) where the
    rows are the folds' documents in fold order."""
    rows = sorted(coded)
    dealt = folds(rows, [coded[r] for r in rows], k, seed)
    held: dict[float, list[np.ndarray]] = {w: [] for w in weights}
    for fold in dealt:
        left_out = set(fold)
        training = {r: coded[r] for r in rows if r not in left_out}
        for weight in weights:
            held[weight].append(suggester.scores(training, weight, rows=fold))
    return {w: np.vstack(parts) for w, parts in held.items()}, dealt


def _tally(scores: np.ndarray, rows: Sequence[int], coded: dict[int, set[int]], languages: Sequence[str],
           empty: np.ndarray) -> Tally:
    tally = Tally()
    for ranked, r in zip(top(scores), rows, strict=True):
        tally.add([] if empty[r] else ranked.tolist(), coded[r], languages[r])
    return tally


def suggest(documents: Sequence[tuple[str, str | None]], blocks: Sequence[Block], coded: dict[int, set[int]],
            stemmer: Stemmer, *, min_coded: int, k: int = 5, seed: int = 2012) -> Outcome:
    """Suggestions for every document, with an honest measure of them on the coded documents.

    Without enough codes (*min_coded* coded documents on at least two blocks) the blocks' own words
    suggest, measured on every coded document (they learn nothing from codes). Otherwise each coded
    weight is cross-validated in *k* folds; each fold is measured with the weight that did best on the
    other folds, so that choosing the weight does not flatter the figure. The model is shown only when
    those figures beat the titles' on the same documents, and then learns from all codes with the
    weight that did best over all folds.
    """
    suggester = Suggester(documents, blocks, stemmer, seed=seed)
    empty = suggester.empty
    languages = [stemmer.language(language) for _text, language in documents]
    rows = sorted(r for r, truth in coded.items() if truth)
    truths = [coded[r] for r in rows]
    zero = suggester.scores()
    outcome = Outcome(source="titles", tops=top(zero), likelihoods=np.zeros(0), empty=empty)
    final = zero
    if rows:
        titles = _tally(zero[rows], rows, coded, languages, empty)
        outcome.measure = titles.as_dict()
        outcome.temperature = fit_temperature(zero[rows], truths)
        outcome.precision_at_3 = outcome.titles_precision_at_3 = _precision(top(zero[rows]), truths)
    if len(rows) >= min_coded and len({b for truth in truths for b in truth}) >= 2:
        held, dealt = cross_validate(suggester, {r: coded[r] for r in rows}, max(2, min(k, len(rows))), seed)
        order = [r for fold in dealt for r in fold]
        bounds = np.cumsum([0] + [len(fold) for fold in dealt])
        per_fold = {w: [_tally(scores[bounds[f]:bounds[f + 1]], dealt[f], coded, languages, empty)
                        for f in range(len(dealt))] for w, scores in held.items()}

        def rank(weight: float, without: int | None = None) -> tuple:
            kept = [t for f, t in enumerate(per_fold[weight]) if f != without]
            # ties go to the weight nearest 1
            return sum(t.hits_at_3 for t in kept), sum(t.hits_at_1 for t in kept), -abs(math.log(weight))

        model = Tally()
        measured = []
        for f in range(len(dealt)):
            weight = max(held, key=lambda w, f=f: rank(w, without=f))
            model.merge(per_fold[weight][f])
            measured.append(held[weight][bounds[f]:bounds[f + 1]])
        if model.key() > titles.key():
            best = max(held, key=rank)
            held_scores = np.vstack(measured)
            held_truths = [coded[r] for r in order]
            final = suggester.scores({r: coded[r] for r in rows}, best)
            outcome = Outcome(source="model", tops=top(final), likelihoods=np.zeros(0), empty=empty,
                              measure=model.as_dict(), other=titles.as_dict(), folds=len(dealt), coded_weight=best,
                              temperature=fit_temperature(held_scores, held_truths),
                              precision_at_3=_precision(top(held_scores), held_truths),
                              titles_precision_at_3=outcome.titles_precision_at_3)
        else:
            outcome.other = model.as_dict()
            outcome.folds = len(dealt)
    outcome.likelihoods = likelihoods(final, outcome.temperature, empty)
    return outcome


def _precision(ranked: np.ndarray, truths: Sequence[set[int]]) -> float:
    values = [len(truth & set(row.tolist())) / TOP for row, truth in zip(ranked, truths, strict=True)]
    return sum(values) / len(values) if values else 0.0
