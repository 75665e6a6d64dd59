"""What the PyTorch peer scripts share: the timing loop (warm up, then time repeats of about a second)
and the training step the Java benchmarks time."""
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


def train_step(model, make_opt, batches, run=400):
    """One step (zero the gradients, forward, cross entropy, backward, update) on the batches
    [(x, y), ...] in turn; every `run` steps the weights and the optimizer start again."""
    import torch.nn as nn
    start = {k: v.clone() for k, v in model.state_dict().items()}
    state = {"opt": make_opt(), "steps": 0}

    def step():
        if state["steps"] == run:
            model.load_state_dict(start)
            state["opt"] = make_opt()
            state["steps"] = 0
        x, y = batches[state["steps"] % len(batches)]
        state["steps"] += 1
        opt = state["opt"]
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step
