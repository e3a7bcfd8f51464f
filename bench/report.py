"""How every benchmark prints: medians, each as a ratio to a baseline measured in the same run."""

from __future__ import annotations

import statistics


def print_medians(title: str, samples: dict[str, list[float]], baseline: str, baseline_label: str) -> None:
    floor = statistics.median(samples[baseline])
    width = max(map(len, samples))
    print(title)
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:<{width}} {median:6.3f} s  ({median / floor:4.2f}x {baseline_label})")
