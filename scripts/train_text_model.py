"""Train the text tab's default sentence classifier and save it to ``resources/text``.

    python scripts/train_text_model.py [resources/text/textcnn_glove50.npz]

Deterministic (fixed seeds): the same word vectors and lexicon give the same file. The app
ships the result so the tab classifies from the start; its Train button runs the same
training on the same phrases.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from explorer.core.text.classifier import DEFAULT_WIDTHS, TextCNN, train
from explorer.core.text.phrases import default_sets
from explorer.core.text.vectors import glove_vectors

OUT = Path(__file__).resolve().parent.parent / "resources" / "text" / "textcnn_glove50.npz"


def main(out: Path) -> None:
    vocab = glove_vectors()
    phrases, held_out = default_sets()
    model = TextCNN.random(DEFAULT_WIDTHS, vocab.dim, seed=0)
    start = time.perf_counter()
    for step in train(model, vocab, phrases, held_out, seed=0):
        print(f"epoch {step.epoch:2d}/{step.epochs}: loss {step.loss:.3f}, "
              f"accuracy {step.accuracy:.1%}, held-out {step.held_out_accuracy:.1%}")
    print(f"trained in {time.perf_counter() - start:.1f} s on {len(phrases)} phrases")
    model.save(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
