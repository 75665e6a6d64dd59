"""The official Python clients against a running Janus model server (PythonClientsTest starts it).

tritonclient[http] speaks the Open Inference Protocol (KServe v2), with Triton's binary tensor
extension by default; requests sends TensorFlow Serving's REST JSON. Where tritonclient is not
installed, the v2 checks are sent with requests instead, in the bytes tritonclient sends (JSON
header, Inference-Header-Content-Length, little-endian tensors), and the output says so. The repository holds
half_plus_three (y = 0.5 x + 3 over a batch of scalars) and two_in_two_out (a, b [-1, 2] FP32 ->
sum, product). Usage: peer_clients.py HOST:PORT. Prints one line per check and exits non-zero on a
failure.
"""
import sys

import json
import struct

import numpy as np
import requests

try:
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException
except ImportError:
    httpclient = None

host = sys.argv[1]
base = "http://" + host
results = []


def check(name, fn):
    try:
        fn()
        results.append((name, None))
        print("ok   ", name)
    except Exception as e:  # report every failure, then exit non-zero
        results.append((name, e))
        print("FAIL ", name, "-", repr(e))


triton = httpclient.InferenceServerClient(url=host) if httpclient else None


def health():
    assert triton.is_server_live()
    assert triton.is_server_ready()
    assert triton.is_model_ready("half_plus_three")
    assert triton.is_model_ready("two_in_two_out", "1")
    assert not triton.is_model_ready("two_in_two_out", "2")


def metadata():
    server = triton.get_server_metadata()
    assert server["name"] == "janus" and "binary_tensor_data" in server["extensions"], server
    model = triton.get_model_metadata("two_in_two_out")
    assert [i["name"] for i in model["inputs"]] == ["a", "b"], model
    assert model["inputs"][0]["shape"] == [-1, 2] and model["inputs"][0]["datatype"] == "FP32", model
    assert [o["name"] for o in model["outputs"]] == ["sum", "product"], model


def infer(binary_in, binary_out):
    def run():
        x = np.array([1.0, 2.0, 5.0], dtype=np.float32)
        inp = httpclient.InferInput("input", list(x.shape), "FP32")
        inp.set_data_from_numpy(x, binary_data=binary_in)
        out = httpclient.InferRequestedOutput("output", binary_data=binary_out)
        r = triton.infer("half_plus_three", [inp], outputs=[out], request_id="7")
        np.testing.assert_allclose(r.as_numpy("output"), [3.5, 4.0, 5.5], rtol=1e-6)
        assert r.get_response()["id"] == "7"
        assert r.get_response()["model_version"] == "1"
    return run


def infer_default_outputs():
    # No outputs named: the client asks for all of them as binary data.
    a = np.array([[1, 2], [3, 4]], dtype=np.float32)
    b = np.array([[5, 6], [7, 8]], dtype=np.float32)
    ia = httpclient.InferInput("a", [2, 2], "FP32")
    ia.set_data_from_numpy(a)
    ib = httpclient.InferInput("b", [2, 2], "FP32")
    ib.set_data_from_numpy(b, binary_data=False)
    r = triton.infer("two_in_two_out", [ia, ib], model_version="1")
    np.testing.assert_allclose(r.as_numpy("sum"), a + b)
    np.testing.assert_allclose(r.as_numpy("product"), a * b)


def infer_errors():
    x = np.array([[1, 2, 3]], dtype=np.float32)
    inp = httpclient.InferInput("a", [1, 3], "FP32")
    inp.set_data_from_numpy(x)
    try:
        triton.infer("two_in_two_out", [inp])
        raise AssertionError("a wrong shape was accepted")
    except InferenceServerException as e:
        assert "input 'a' has shape [1, 3]" in e.message(), e.message()
    try:
        triton.infer("nope", [inp])
        raise AssertionError("an unknown model was accepted")
    except InferenceServerException as e:
        assert "not in the model repository" in e.message(), e.message()


def tf_status_and_metadata():
    r = requests.get(base + "/v1/models/half_plus_three")
    assert r.status_code == 200
    assert r.json() == {"model_version_status": [{"version": "1", "state": "AVAILABLE",
                                                  "status": {"error_code": "OK", "error_message": ""}}]}, r.text
    m = requests.get(base + "/v1/models/two_in_two_out/metadata").json()
    sig = m["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert sig["inputs"]["a"]["dtype"] == "DT_FLOAT", sig


def tf_predict():
    r = requests.post(base + "/v1/models/half_plus_three:predict", json={"instances": [1.0, 2.0, 5.0]})
    assert r.status_code == 200 and r.json() == {"predictions": [3.5, 4.0, 5.5]}, r.text
    r = requests.post(base + "/v1/models/two_in_two_out/versions/1:predict",
                      json={"inputs": {"a": [[1, 2], [3, 4]], "b": [[5, 6], [7, 8]]}})
    assert r.json() == {"outputs": {"sum": [[6, 8], [10, 12]], "product": [[5, 12], [21, 32]]}}, r.text
    r = requests.post(base + "/v1/models/two_in_two_out:predict",
                      json={"instances": [{"a": [1, 2], "b": [5, 6]}, {"a": [3, 4], "b": [7, 8]}]})
    assert r.json() == {"predictions": [{"sum": [6, 8], "product": [5, 12]},
                                        {"sum": [10, 12], "product": [21, 32]}]}, r.text


def tf_errors():
    r = requests.post(base + "/v1/models/half:predict", json={"instances": [1.0, 5.0]})
    assert r.status_code == 404 and r.json()["error"].startswith("Servable not found for request: Latest(half)"), r.text
    r = requests.post(base + "/v1/models/half_plus_three:predict", data="{\"instances\": [1.0,, 2.0]}")
    assert r.status_code == 400 and "malformed JSON" in r.json()["error"], r.text


def v2_requests():
    assert requests.get(base + "/v2/health/live").status_code == 200
    assert requests.get(base + "/v2/health/ready").status_code == 200
    assert requests.get(base + "/v2/models/two_in_two_out/versions/2/ready").status_code == 404
    m = requests.get(base + "/v2/models/two_in_two_out").json()
    assert [i["name"] for i in m["inputs"]] == ["a", "b"] and m["inputs"][0]["shape"] == [-1, 2], m
    r = requests.post(base + "/v2/models/half_plus_three/infer",
                      json={"id": "7", "inputs": [{"name": "input", "shape": [3], "datatype": "FP32", "data": [1, 2, 5]}]})
    assert r.json()["outputs"][0]["data"] == [3.5, 4.0, 5.5] and r.json()["id"] == "7", r.text


def v2_requests_binary():
    # What tritonclient sends by default: inputs as binary data, all outputs asked for as binary data.
    header = json.dumps({"inputs": [{"name": "input", "shape": [3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}],
                         "parameters": {"binary_data_output": True}}).encode()
    body = header + struct.pack("<3f", 1.0, 2.0, 5.0)
    r = requests.post(base + "/v2/models/half_plus_three/infer", data=body,
                      headers={"Inference-Header-Content-Length": str(len(header)), "Content-Type": "application/octet-stream"})
    n = int(r.headers["Inference-Header-Content-Length"])
    out = json.loads(r.content[:n])["outputs"][0]
    assert out["parameters"]["binary_data_size"] == 12, out
    assert struct.unpack("<3f", r.content[n:]) == (3.5, 4.0, 5.5)
    r = requests.post(base + "/v2/models/nope/infer", json={"inputs": []})
    assert r.status_code == 404 and "not in the model repository" in r.json()["error"], r.text


if triton:
    check("health (tritonclient)", health)
    check("server and model metadata (tritonclient)", metadata)
    check("infer, binary in and out (tritonclient's default)", infer(True, True))
    check("infer, JSON in and out", infer(False, False))
    check("infer, binary in, JSON out", infer(True, False))
    check("infer two inputs, all outputs (binary)", infer_default_outputs)
    check("errors reach tritonclient as InferenceServerException", infer_errors)
else:
    print("tritonclient is not installed: the KServe v2 checks go through requests, in tritonclient's wire format")
    check("KServe v2 health, metadata, JSON infer (requests)", v2_requests)
    check("KServe v2 binary tensor data as tritonclient sends it (requests)", v2_requests_binary)
check("TF Serving status and metadata (requests)", tf_status_and_metadata)
check("TF Serving predict, rows and columns (requests)", tf_predict)
check("TF Serving errors (requests)", tf_errors)

failed = sum(1 for _, e in results if e is not None)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
