"""Latency statistics for the benchmarks: percentiles and a summary; and
`emit`, how a bench module hands its result to scripts/bench.sh."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any, Dict, Optional, Sequence


def emit(result: Dict[str, Any], path: Optional[Path]) -> None:
    """Prints `result` as JSON and, with `path`, writes it there too."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if path:
        path.write_text(text, encoding="utf-8")


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (k - low)


def summary(latencies_s: Sequence[float]) -> Dict[str, float]:
    """p50/p95/p99/mean in milliseconds."""
    ms = [x * 1000 for x in latencies_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "mean_ms": round(statistics.fmean(ms), 1) if ms else float("nan"),
    }
