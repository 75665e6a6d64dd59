package dev.janus.spark;

import dev.janus.core.DType;
import dev.janus.core.JanusException;
import dev.janus.core.Shape;
import dev.janus.core.Tensor;
import dev.janus.core.TensorType;
import dev.janus.core.io.SafeTensors;
import dev.janus.core.optim.Optimizer;
import dev.janus.eager.nn.NNModule;
import dev.janus.graph.TrainingStep;
import dev.janus.layers.Model;
import dev.janus.layers.Weight;
import dev.janus.layers.metrics.Metric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The driver's side of the model being trained: its state as replicas are made from, and where the result goes. */
interface Trainee {
    Replica.Spec spec();

    /** The state now, as bytes (a model file, or safetensors for an eager module). */
    byte[] state();

    /** Checks that a state (from a checkpoint) is one of this model's. */
    void check(byte[] state, String source);

    /** Puts the trained state into the user's model. */
    void restore(byte[] state);

    /** Numbers per row of features, and of labels. */
    int width();

    int labelWidth();

    long parameters();

    /** "loss", then the metrics, as fit's History names them. */
    List<String> statNames();

    /** The checkpoint files' extension. */
    String suffix();

    /** A compiled Keras-style model (a Sequential, or a Functional model with one input and one output). */
    static Trainee of(Model model) {
        if (model.optimizer() == null) throw new JanusException(model.name() + " is not compiled: call compile(optimizer, loss, metrics) before fit");
        if (model.inputs().size() != 1 || model.outputs().size() != 1) {
            throw new JanusException("fit on a DataFrame takes a model with one input (the features) and one output (against the label); "
                    + model.name() + " has " + model.inputs().size() + " inputs and " + model.outputs().size() + " outputs");
        }
        for (Metric m : model.metrics()) {
            if (m.sums() != 1) {
                throw new JanusException("fit on a DataFrame reports metrics that are means over samples; " + m.name()
                        + " is computed from counts (" + m.sums() + " sums), which the workers do not combine yet");
            }
        }
        TrainingStep step = model.compiledTrainingStep();
        TensorType label = step.model().inputs().get(1).type();
        return new Trainee() {
            @Override
            public Replica.Spec spec() {
                return new CompiledReplica.Spec();
            }

            @Override
            public byte[] state() {
                return model.toBytes();
            }

            @Override
            public void check(byte[] state, String source) {
                List<Weight> have = model.weights(), got = Model.fromBytes(state, source).weights();
                boolean same = have.size() == got.size();
                for (int i = 0; same && i < have.size(); i++) {
                    same = have.get(i).name().equals(got.get(i).name()) && have.get(i).value().type().equals(got.get(i).value().type());
                }
                if (!same) throw new JanusException(source + " holds another model than " + model.name() + " (its weights differ in name or shape)");
            }

            @Override
            public void restore(byte[] state) {
                Model trained = Model.fromBytes(state, "the trained model");
                model.setWeights(trained.getWeights());
                TrainingStep from = trained.compiledTrainingStep();
                Map<String, Tensor> live = step.state();
                from.state().forEach((k, v) -> live.get(k).copyFrom(v));
                step.setIterations(from.iterations());
            }

            @Override
            public int width() {
                return CompiledReplica.sampleShape(model).size();
            }

            @Override
            public int labelWidth() {
                return label.shape().sub(1, label.rank()).size();
            }

            @Override
            public long parameters() {
                return model.countParams();
            }

            @Override
            public List<String> statNames() {
                List<String> names = new ArrayList<>();
                names.add("loss");
                for (Metric m : model.metrics()) names.add(m.name());
                return names;
            }

            @Override
            public String suffix() {
                return "janus";
            }
        };
    }

    /** An eager module trained with the user's step; {@code labelWidth} numbers per label. */
    static Trainee of(NNModule module, ReplicaFactory<? extends NNModule> factory, ReplicaFactory<? extends Optimizer> optimizer,
                      EagerTrainingStep step, int[] sample, DType labelDType, int[] label) {
        return new Trainee() {
            @Override
            public Replica.Spec spec() {
                return new EagerReplica.Spec(factory, optimizer, step, sample, labelDType, label);
            }

            @Override
            public byte[] state() {
                return EagerReplica.state(module, null);
            }

            @Override
            public void check(byte[] state, String source) {
                factory.create().loadStateDict(EagerReplica.part(SafeTensors.decode(state, source), EagerReplica.MODEL));
            }

            @Override
            public void restore(byte[] state) {
                module.loadStateDict(EagerReplica.part(SafeTensors.decode(state, "the trained module"), EagerReplica.MODEL));
            }

            @Override
            public int width() {
                return Shape.of(sample).size();
            }

            @Override
            public int labelWidth() {
                return Shape.of(label).size();
            }

            @Override
            public long parameters() {
                return module.parameterCount();
            }

            @Override
            public List<String> statNames() {
                return List.of("loss");
            }

            @Override
            public String suffix() {
                return "safetensors";
            }
        };
    }
}
