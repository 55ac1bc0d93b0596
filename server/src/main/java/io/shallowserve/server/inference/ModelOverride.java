package io.shallowserve.server.inference;

import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.VersionPolicy;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A model configuration a load request brings in place of the model's serving.yaml (Triton's "config" load
 * parameter), in the engine's terms. It serves the model until the next load without one, or until polling finds
 * the model's folder changed.
 *
 * @param instances     execution instances per version; empty: the server's default
 * @param batching      dynamic batching; a configuration without it turns batching off, as in Triton
 * @param versionPolicy which versions serve; empty: the server's default
 * @param inputs        the inputs the configuration declares, which every version served must have exactly; empty:
 *                      none declared
 * @param outputs       the outputs it declares, likewise
 */
public record ModelOverride(
        OptionalInt instances,
        ModelSettings.Batching batching,
        Optional<VersionPolicy> versionPolicy,
        List<TensorSpec> inputs,
        List<TensorSpec> outputs) {

    public ModelOverride {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The settings the model is served with: these, the server's {@code defaults} where this sets nothing. */
    ModelSettings settings(ModelSettings defaults) {
        return new ModelSettings(instances.orElse(defaults.instances()), batching,
                versionPolicy.orElse(defaults.versionPolicy()));
    }

    /**
     * Why a version whose graph has {@code actualInputs} and {@code actualOutputs} cannot serve under this
     * configuration (its tensors are not those declared), or empty if it can.
     */
    Optional<String> tensorMismatch(List<TensorSpec> actualInputs, List<TensorSpec> actualOutputs) {
        if (!inputs.isEmpty() && !inputs.equals(actualInputs)) {
            return Optional.of("the configuration's input " + describe(inputs) + " is not the model's "
                    + describe(actualInputs));
        }
        if (!outputs.isEmpty() && !outputs.equals(actualOutputs)) {
            return Optional.of("the configuration's output " + describe(outputs) + " is not the model's "
                    + describe(actualOutputs));
        }
        return Optional.empty();
    }

    private static String describe(List<TensorSpec> tensors) {
        return String.join(", ", tensors.stream()
                .map(t -> "'" + t.name() + "' " + t.datatype() + " " + t.shape() + " (-1 = any size)").toList());
    }
}
