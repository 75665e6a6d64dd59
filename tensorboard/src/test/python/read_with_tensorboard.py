"""TensorBoard's own reader on a Janus log folder: loads every run with TensorBoard's
EventMultiplexer (one EventAccumulator per run, as `tensorboard --logdir` does) and checks what it
reads against what the Java side says it wrote (expected.json beside the runs): scalars, histograms,
images, text, hparams, the graph, and a run whose last record was cut short.

    python read_with_tensorboard.py LOGDIR

Run by TensorBoardReadsTest (skipped when no Python with tensorboard is found; JANUS_PYTHON picks
one). Prints one line per check and exits 1 on the first mismatch.
"""
import io
import json
import math
import os
import sys

from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util

logdir = sys.argv[1]
want = json.load(open(os.path.join(logdir, "expected.json")))
mux = EventMultiplexer(size_guidance=ea.STORE_EVERYTHING_SIZE_GUIDANCE)
mux.AddRunsFromDirectory(logdir)
mux.Reload()
runs = mux.Runs()
checks = 0


def check(ok, what):
    global checks
    if not ok:
        print("MISMATCH:", what)
        sys.exit(1)
    checks += 1


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


check(set(want["runs"]) <= set(runs), f"runs {sorted(runs)} lack some of {want['runs']}")
print("runs:", ", ".join(sorted(runs)))

for s in want["scalars"]:
    got = mux.Scalars(s["run"], s["tag"])
    check([e.step for e in got] == s["steps"], f"{s['run']} {s['tag']} steps {[e.step for e in got]} != {s['steps']}")
    check(all(close(e.value, v) for e, v in zip(got, s["values"])), f"{s['run']} {s['tag']} values {[e.value for e in got]} != {s['values']}")
print(f"scalars: {len(want['scalars'])} series, values and steps as written")

for h in want["histograms"]:
    got = mux.Histograms(h["run"], h["tag"])
    check([e.step for e in got] == h["steps"], f"{h['run']} {h['tag']} steps")
    v = got[-1].histogram_value
    check(v.num == h["num"] and close(v.sum, h["sum"]) and close(v.min, h["min"]) and close(v.max, h["max"]), f"{h['run']} {h['tag']} {v}")
    check(sum(v.bucket) == h["num"] and list(v.bucket_limit) == h["bucket_limit"], f"{h['run']} {h['tag']} buckets")
print(f"histograms: {len(want['histograms'])}, counts, sums and bucket edges as written")

for i in want["images"]:
    got = mux.Images(i["run"], i["tag"])[-1]
    check((got.width, got.height) == (i["width"], i["height"]), f"{i['run']} {i['tag']} is {got.width}x{got.height}")
    check(got.encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n", f"{i['run']} {i['tag']} is no PNG")
    try:
        from PIL import Image
        img = Image.open(io.BytesIO(got.encoded_image_string))
        check(img.size == (i["width"], i["height"]), f"{i['run']} {i['tag']} decodes to {img.size}")
    except ImportError:
        pass
print(f"images: {len(want['images'])}, PNG of the sizes written")

for t in want["text"]:
    got = mux.Tensors(t["run"], t["tag"])[-1]
    check(mux.SummaryMetadata(t["run"], t["tag"]).plugin_data.plugin_name == "text", f"{t['tag']} plugin")
    text = tensor_util.make_ndarray(got.tensor_proto).item().decode("utf-8")
    check(text == t["text"], f"{t['tag']} reads {text!r}")
print(f"text: {len(want['text'])} summaries as written")

for h in want["hparams"]:
    content = mux.GetAccumulator(h["run"]).PluginTagToContent("hparams")
    check(set(content) == {"_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"}, f"hparams tags {set(content)}")
    exp = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    check([x.name for x in exp.hparam_infos] == list(h["values"]), f"hparam names {[x.name for x in exp.hparam_infos]}")
    check([m.name.tag for m in exp.metric_infos] == list(h["metrics"]), "metric tags")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    for k, v in h["values"].items():
        got = start.hparams[k]
        kind = got.WhichOneof("kind")
        value = got.number_value if kind == "number_value" else got.string_value if kind == "string_value" else got.bool_value
        check(value == v, f"hparam {k} = {value!r}, want {v!r}")
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"]).session_end_info
    check(end.status == 1, "session status")
    for tag, v in h["metrics"].items():
        check(close(mux.Scalars(h["run"], tag)[-1].value, v), f"metric {tag}")
print(f"hparams: {len(want['hparams'])} sessions, values and metrics as written")

for g in want["graphs"]:
    graph = mux.Graph(g["run"])
    nodes = {n.name: n for n in graph.node}
    check(set(g["nodes"]) <= set(nodes), f"{g['run']} graph lacks {set(g['nodes']) - set(nodes)}")
    for name, op in g["ops"].items():
        check(nodes[name].op == op, f"{name} is {nodes[name].op}, want {op}")
    for name, dims in g["shapes"].items():
        got = [d.size for d in nodes[name].attr["_output_shapes"].list.shape[0].dim]
        check(got == dims, f"{name} shape {got}, want {dims}")
    for n in graph.node:
        for i in n.input:
            check(i.split(":")[0].lstrip("^") in nodes, f"{n.name} reads missing {i}")
print(f"graphs: {len(want['graphs'])}, {sum(len(mux.Graph(g['run']).node) for g in want['graphs'])} nodes, names, op types and shapes as written")

for t in want["truncated"]:
    got = mux.Scalars(t["run"], t["tag"])
    check(len(got) == t["count"], f"truncated run: TensorBoard read {len(got)} values of {t['tag']}, want {t['count']}")
print(f"truncated: the last record cut short is skipped, the {want['truncated'][0]['count']} before it read")
print(f"all {checks} checks passed (tensorboard {__import__('tensorboard').__version__})")
