"""Checks that onnx_subset.proto uses ONNX's field numbers, types, labels and enum values, against
the descriptors of the onnx package itself.

    protoc --descriptor_set_out=/tmp/subset.pb -I../../main/proto ../../main/proto/onnx_subset.proto
    python check_proto_fields.py /tmp/subset.pb

(protoc is the one Maven fetched: ~/.m2/repository/com/google/protobuf/protoc/3.25.5/.) Needs onnx.
"""
import sys

import onnx.onnx_data_pb2 as data
import onnx.onnx_ml_pb2 as ref
from google.protobuf import descriptor_pb2

fds = descriptor_pb2.FileDescriptorSet()
fds.ParseFromString(open(sys.argv[1], "rb").read())
checked = 0


def walk(messages, top, scope):
    global checked
    for m in messages:
        # SequenceProto, MapProto and OptionalProto live in onnx-data.proto
        r = getattr(scope if hasattr(scope, m.name) else data, m.name).DESCRIPTOR if top else scope.nested_types_by_name[m.name]
        for f in m.field:
            rf = r.fields_by_name[f.name]
            assert (rf.number, rf.type, rf.is_repeated) == (f.number, f.type, f.label == 3), (m.name, f.name)
            if rf.is_repeated and rf.type not in (9, 11, 12):   # packed-ness of repeated scalars
                assert bool(rf.is_packed) == bool(f.options.packed), (m.name, f.name)
            checked += 1
        for e in m.enum_type:
            for v in e.value:
                assert r.enum_types_by_name[e.name].values_by_name[v.name].number == v.number, (e.name, v.name)
                checked += 1
        walk(m.nested_type, False, r)


walk(fds.file[0].message_type, True, ref)
print(f"all {checked} fields and enum values match {ref.DESCRIPTOR.name}")
