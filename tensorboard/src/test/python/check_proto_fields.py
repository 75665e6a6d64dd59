"""Checks that tensorboard_subset.proto and hparams_subset.proto use TensorBoard's field numbers,
types, labels, packing and enum values, against the descriptors of the installed tensorboard
package itself (as export/'s check_proto_fields.py does for ONNX). From tensorboard/:

    P=~/.m2/repository/com/google/protobuf/protoc/3.25.5/protoc-3.25.5-linux-x86_64.exe
    $P --descriptor_set_out=/tmp/tb.pb -Isrc/main/proto -I$(dirname $(find target/protoc-dependencies -name struct.proto | head -1))/../.. \
        src/main/proto/tensorboard_subset.proto src/main/proto/hparams_subset.proto
    python src/test/python/check_proto_fields.py /tmp/tb.pb

(target/protoc-dependencies holds protobuf's struct.proto after a Maven build.) Needs tensorboard.
"""
import sys

from google.protobuf import descriptor_pb2
from tensorboard.compat.proto import (attr_value_pb2, event_pb2, graph_pb2, histogram_pb2, node_def_pb2, summary_pb2,
                                      tensor_pb2, tensor_shape_pb2, types_pb2, versions_pb2)
from tensorboard.plugins.hparams import api_pb2, plugin_data_pb2 as hparams_data_pb2
from tensorboard.plugins.text import plugin_data_pb2 as text_data_pb2

# Our package -> the reference modules whose top-level messages and enums it mirrors.
REFERENCE = {
    "janus.tensorboard": [event_pb2, summary_pb2, histogram_pb2, tensor_pb2, tensor_shape_pb2, types_pb2, graph_pb2,
                          node_def_pb2, attr_value_pb2, versions_pb2, text_data_pb2],
    "janus.tensorboard.hparams": [hparams_data_pb2, api_pb2],
}
checked = 0


def top(package, name):
    for module in REFERENCE[package]:
        d = module.DESCRIPTOR
        if name in d.message_types_by_name:
            return d.message_types_by_name[name]
        if name in d.enum_types_by_name:
            return d.enum_types_by_name[name]
    raise AssertionError(f"{package}.{name} is not in TensorBoard's protos")


def check_enum(ours, ref):
    global checked
    for v in ours.value:
        assert ref.values_by_name[v.name].number == v.number, (ours.name, v.name)
        checked += 1


def check_message(ours, ref):
    global checked
    for f in ours.field:
        rf = ref.fields_by_name[f.name]
        assert (rf.number, rf.type, rf.is_repeated) == (f.number, f.type, f.label == 3), (ours.name, f.name)
        if f.type in (11, 14):   # the same message or enum type, by name
            ours_type = f.type_name.rsplit(".", 1)[-1]
            ref_type = (rf.message_type or rf.enum_type).name
            assert ours_type == ref_type, (ours.name, f.name, ours_type, ref_type)
        if rf.is_repeated and rf.type not in (9, 11, 12):   # packed-ness of repeated scalars
            assert rf.is_packed == (f.options.packed or not f.options.HasField("packed")), (ours.name, f.name)
        ours_oneof = ours.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else None
        ref_oneof = rf.containing_oneof.name if rf.containing_oneof else None
        assert ours_oneof == ref_oneof, (ours.name, f.name, ours_oneof, ref_oneof)
        checked += 1
    for e in ours.enum_type:
        check_enum(e, ref.enum_types_by_name[e.name])
    for n in ours.nested_type:
        check_message(n, ref.nested_types_by_name[n.name])


fds = descriptor_pb2.FileDescriptorSet()
fds.ParseFromString(open(sys.argv[1], "rb").read())
files = [f for f in fds.file if f.package in REFERENCE]
assert len(files) == 2, [f.name for f in fds.file]
for f in files:
    assert f.syntax == "proto3", f.name   # as TensorBoard's: no field presence, repeated scalars packed
    for m in f.message_type:
        check_message(m, top(f.package, m.name))
    for e in f.enum_type:
        check_enum(e, top(f.package, e.name))
import tensorboard
print(f"all {checked} fields and enum values match tensorboard {tensorboard.__version__}")
