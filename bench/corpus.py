"""A generator of synthetic hub documents (text files and HTML pages) for the benchmarks.

Sentences are drawn from a vocabulary of the field with a fixed seed, so runs are repeatable. ``python
bench/corpus.py OUT_DIR --docs N --kind txt|html`` writes N files of about ``--size`` bytes each.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CITIES = ["Lisbon", "Ghent", "Athens", "Utrecht", "Barcelona", "Zürich", "Malmö", "Gdańsk", "São Paulo", "Bogotá",
          "Montréal", "Kampala", "Amman", "Marrakesh", "Milan", "Leipzig", "Lyon", "Nantes", "Valencia", "Dublin"]
SUBJECTS = ["The city council", "The municipal integration office", "A network of welcoming cities",
            "The civil-society coalition", "The regional government", "The mayor's office", "The knowledge-exchange "
            "programme", "Local NGOs", "The working group on housing", "Researchers at the university"]
VERBS = ["launched", "evaluated", "presented", "extended", "funded", "co-designed", "discussed", "piloted",
         "documented", "reviewed"]
OBJECTS = ["a one-stop shop for newcomers", "language courses for adult refugees", "a city card for all residents",
           "legal advice for migrants with irregular status", "a mentoring scheme between two cities",
           "emergency shelter during the winter", "access to primary health care", "school places for "
           "unaccompanied minors", "a consultation with migrant-led organisations", "an integration policy index"]
TAILS = ["in {c} in {y}", "with partners from {c}", "after a peer-learning visit to {c}", "during a workshop in {c}",
         "as part of a city-to-city project with {c}", "following recommendations from {c}"]


_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_FUNCTION = "the of and to in a is that for on with as by are was be from this which at or an".split()


def _vocabulary(size: int = 30_000) -> list[str]:
    rng = random.Random(7)
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCABULARY = _vocabulary()
# Zipf's law: the k-th most frequent word has weight 1/k, as in natural-language corpora
_CUM = []
_total = 0.0
for _k in range(1, len(VOCABULARY) + 1):
    _total += 1.0 / _k
    _CUM.append(_total)


def sentence(rng: random.Random) -> str:
    """A sentence of the field one time in five, else Zipf-distributed words with function words between them.

    Real corpora follow Zipf's law: a few words are everywhere, most are rare. A corpus built only from a few field
    templates would make every query match a third of all passages, which no real hub does.
    """
    if rng.random() < 0.2:
        tail = rng.choice(TAILS).format(c=rng.choice(CITIES), y=rng.randint(2010, 2025))
        return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {tail}."
    words = rng.choices(VOCABULARY, cum_weights=_CUM, k=rng.randint(8, 18))
    for i in range(1, len(words), 3):
        words[i] = rng.choice(_FUNCTION)
    return " ".join(words).capitalize() + "."


def paragraphs(rng: random.Random, size: int) -> list[str]:
    out, total = [], 0
    while total < size:
        para = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
        out.append(para)
        total += len(para) + 2
    return out


def text_document(i: int, size: int = 5000) -> str:
    rng = random.Random(i)
    return f"Report {i}: {rng.choice(OBJECTS).capitalize()}\n\n" + "\n\n".join(paragraphs(rng, size))


def html_document(i: int, size: int = 20000) -> str:
    rng = random.Random(i)
    nav = "".join(f'<li><a href="/section/{k}">Section {k}</a></li>' for k in range(12))
    body = "".join(f"<h2>Part {k}</h2><p>{p}</p>" if k % 3 == 0 else f"<p>{p}</p>"
                   for k, p in enumerate(paragraphs(rng, size // 2)))
    footer = "".join(f"<p>Footer link {k} · Privacy · Contact · Newsletter</p>" for k in range(8))
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>News {i}</title>'
            f'<script>var tracker = {i};</script><style>body{{font:14px sans-serif}}</style></head><body>'
            f'<header><nav><ul>{nav}</ul></nav></header>'
            f'<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies?</div>'
            f'<main><article><h1>News {i}: {rng.choice(OBJECTS)}</h1>{body}</article></main>'
            f'<aside class="sidebar"><h3>Share this</h3><ul>{nav}</ul></aside><footer>{footer}</footer>'
            f"</body></html>")


def write_corpus(out: Path, docs: int, kind: str = "txt", size: int | None = None) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        path = out / f"doc-{i:06d}.{kind}"
        body = text_document(i, size or 5000) if kind == "txt" else html_document(i, size or 20000)
        path.write_text(body, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--kind", choices=["txt", "html"], default="txt")
    ap.add_argument("--size", type=int)
    a = ap.parse_args()
    print(f"wrote {len(write_corpus(a.out, a.docs, a.kind, a.size))} files to {a.out}")
