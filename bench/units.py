"""What a unit looks for: how long each answer takes, and how good the dreams are.

1. The pretrained network's input-space filters (``Network.unit_filters``) for its early
   layers, and its top-9 patches over the bundled sample pictures.
2. The digit network (the default training, one epoch): the top-9 digits of a channel over all
   5,000 digits; a saliency map.
3. The dream of each digit class from noise (150 steps): the time to the whole dream, the
   time until the class's probability first passes 0.9, and the final probability, read
   again from the finished picture. Goal: above 0.9 in under 5 s per class.
"""

from __future__ import annotations

import time

import numpy as np

GOAL_SECONDS = 5.0


def _seconds(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def network_part() -> None:
    from explorer.core.images import load_image
    from explorer.core.network import MissingPackageError, load_pretrained
    from explorer.core.network.unit_patches import top_patches
    from explorer.resources import resource_path

    try:
        net = load_pretrained()
    except MissingPackageError as exc:
        print(f"network: skipped ({exc})")
        return
    for layer in ("block 1", "block 2", "block 2 depthwise", "block 3", "block 4", "block 5"):
        t0 = time.perf_counter()
        c, k = net.unit_filters(layer).shape[:2]
        seconds = time.perf_counter() - t0
        print(f"network: unit_filters({layer!r}) {c} filters of {k}×{k} in {seconds * 1e3:.0f} ms")
    names = ("astronaut.png", "brick.png", "chelsea.png", "coffee.png", "rocket.jpg", "text.png")
    pictures = [load_image(resource_path("samples", name)) for name in names]
    for layer in ("block 3", "block 9"):
        seconds = _seconds(lambda layer=layer: top_patches(net, pictures, layer, 0))
        print(f"network: top-9 patches of {layer} over {len(pictures)} samples "
              f"{seconds * 1e3:.0f} ms")


def digit_part() -> None:
    from explorer.core.training import load_digits, train_digits
    from explorer.core.training.dream import dream_class
    from explorer.core.training.saliency import saliency_map

    *_, last = train_digits(seed=0, epochs=1)
    model = last.model
    train, test = load_digits()
    images = np.concatenate([train.images, test.images])
    print(f"digits: a network trained one epoch, test accuracy {last.test_accuracy:.1%}")
    for layer, channel in ((0, 3), (1, 5)):
        seconds = _seconds(lambda layer=layer, channel=channel:
                           model.top_patches(layer, channel, images))
        print(f"digits: top-9 of conv {layer} channel {channel} over {len(images)} digits "
              f"{seconds * 1e3:.0f} ms")
    seconds = _seconds(lambda: saliency_map(model, test.images[0]))
    print(f"digits: one saliency map {seconds * 1e3:.1f} ms")
    worst = 0.0
    for digit in range(10):
        t0 = time.perf_counter()
        passed = None
        for step in dream_class(model, digit):
            if passed is None and step.probabilities[digit] > 0.9:
                passed = (step.step, time.perf_counter() - t0)
        whole = time.perf_counter() - t0
        worst = max(worst, whole)
        final = float(model.probabilities(step.picture)[0][digit])
        when = (f"passes 0.9 at step {passed[0]} ({passed[1]:.2f} s)" if passed
                else "never passes 0.9")
        print(f"dream:  {digit}: {step.steps} steps in {whole:.2f} s, {when}, final "
              f"probability {final:.3f}")
    print(f"dream:  slowest whole dream {worst:.2f} s (goal < {GOAL_SECONDS:.0f} s a class)")


def main() -> None:
    network_part()
    digit_part()


if __name__ == "__main__":
    main()
