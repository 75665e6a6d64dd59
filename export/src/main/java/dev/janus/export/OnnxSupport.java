package dev.janus.export;

import dev.janus.export.proto.Onnx.AttributeProto;
import dev.janus.export.proto.Onnx.GraphProto;
import dev.janus.export.proto.Onnx.ModelProto;
import dev.janus.export.proto.Onnx.NodeProto;
import dev.janus.export.proto.Onnx.TensorProto;
import dev.janus.export.proto.Onnx.TypeProto;
import dev.janus.export.proto.Onnx.ValueInfoProto;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Janus does not import from ONNX on purpose, and why, in one place: every refusal of these
 * ops and domains gives this reason. (An op that is simply not written yet is refused as "not in
 * Janus's op set".)
 */
public final class OnnxSupport {
    private static final Map<String, String> DOMAINS = new LinkedHashMap<>();
    private static final Map<String, String> OPS = new LinkedHashMap<>();

    static {
        DOMAINS.put("ai.onnx.ml", "the ONNX-ML domain (trees, linear classifiers, label encoders, ...) is classical machine learning"
                + " outside Janus's tensor op set");
        DOMAINS.put("ai.onnx.preview.training", "the training domain (Adam, Adagrad, Momentum, Gradient) describes optimizer steps;"
                + " Janus trains with its own optimizers (core.optim) instead of importing them");
        DOMAINS.put("ai.onnx.preview", "preview ops are experimental and may change meaning between ONNX releases");
        String strings = "strings: Janus tensors hold numbers only (there is no string dtype)";
        for (String op : List.of("StringNormalizer", "StringSplit", "StringConcat", "RegexFullMatch", "TfIdfVectorizer")) OPS.put(op, strings);
        String random = "random values: the op would draw from Janus's generator, so its values could never match another"
                + " runtime's; use Janus's own random ops (dropout, initializers) where randomness is wanted";
        for (String op : List.of("RandomUniform", "RandomNormal", "RandomUniformLike", "RandomNormalLike", "Bernoulli", "Multinomial")) {
            OPS.put(op, random);
        }
        String sequences = "sequences and optionals: Janus's values are tensors only";
        for (String op : List.of("SequenceConstruct", "SequenceEmpty", "SequenceInsert", "SequenceAt", "SequenceErase", "SequenceLength",
                "SequenceMap", "SplitToSequence", "ConcatFromSequence", "Optional", "OptionalHasElement", "OptionalGetElement")) {
            OPS.put(op, sequences);
        }
        OPS.put("ImageDecoder", "decoding image files (JPEG, PNG, ...) is file I/O, not a tensor op; decode before feeding the model");
    }

    private OnnxSupport() {
    }

    /** Why Janus does not import ops of this domain, or null when it imports (some of) them. */
    public static String domainReason(String domain) {
        return DOMAINS.get(domain);
    }

    /** Why Janus does not import this op of the default domain, or null when it is not refused on purpose. */
    public static String opReason(String opType) {
        return OPS.get(opType);
    }

    /** Element types Janus has no dtype for on purpose: complex numbers, float8, and the 4- and 2-bit types. */
    private static final Set<Integer> NO_DTYPE = Set.of(14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26);

    /**
     * Why a whole model is outside what Janus imports, or null when it is in scope: the rule by which
     * {@code onnx-test} counts the node tests that apply. Out of scope: a node (in any subgraph) of
     * the ONNX-ML, training or preview domains, a string op or string tensor, a random op, a
     * sequence, optional or map value or op, or an element type Janus does not hold (complex,
     * float8, int4/uint4, int2/uint2, float4). Everything else applies, refused or not.
     */
    public static String outOfScope(ModelProto model) {
        return outOfScope(model.getGraph());
    }

    private static String outOfScope(GraphProto g) {
        for (NodeProto n : g.getNodeList()) {
            String d = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
            if (!d.isEmpty() && DOMAINS.containsKey(d)) return d.equals("ai.onnx.ml") ? "ONNX-ML domain" : "training and preview domains";
            String why = d.isEmpty() ? OPS.get(n.getOpType()) : null;
            if (why != null && !n.getOpType().equals("ImageDecoder")) return why.substring(0, why.indexOf(':'));
            for (AttributeProto a : n.getAttributeList()) {
                String inner = a.hasG() ? outOfScope(a.getG()) : null;
                for (int i = 0; inner == null && i < a.getGraphsCount(); i++) inner = outOfScope(a.getGraphs(i));
                if (inner == null && a.hasT()) inner = elementType(a.getT().getDataType());
                if (inner != null) return inner;
            }
        }
        for (TensorProto t : g.getInitializerList()) {
            String why = elementType(t.getDataType());
            if (why != null) return why;
        }
        for (List<ValueInfoProto> vs : List.of(g.getInputList(), g.getOutputList(), g.getValueInfoList())) {
            for (ValueInfoProto v : vs) {
                String why = type(v.getType());
                if (why != null) return why;
            }
        }
        return null;
    }

    private static String type(TypeProto t) {
        if (t.getValueCase() == TypeProto.ValueCase.TENSOR_TYPE) return elementType(t.getTensorType().getElemType());
        if (t.getValueCase() == TypeProto.ValueCase.VALUE_NOT_SET) return null;
        return "sequences and optionals";
    }

    private static String elementType(int code) {
        if (code == 8) return "strings";
        return NO_DTYPE.contains(code) ? "element types without a dtype (complex, float8, 4- and 2-bit)" : null;
    }

    /** Every op and domain refused on purpose, with its reason, for the README and the tests. */
    public static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        DOMAINS.forEach((d, why) -> all.put("domain " + d, why));
        OPS.forEach(all::put);
        return all;
    }
}
