"""The timing loop the PyTorch peer scripts share: warm up, then time repeats of about a second."""
import sys
import time

QUICK = "--quick" in sys.argv


def timed(fn, seconds=1.0, repeats=7):
    """(median, half the spread) of the mean time per call over the repeats, in seconds."""
    if QUICK:
        seconds, repeats = seconds / 2, 3
    for _ in range(20 if QUICK else 200):
        fn()
    results = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            fn()
            n += 1
        results.append((time.perf_counter() - start) / n)
    results.sort()
    return results[repeats // 2], (results[-1] - results[0]) / 2
