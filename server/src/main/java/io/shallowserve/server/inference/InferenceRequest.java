package io.shallowserve.server.inference;

import io.shallowserve.runtime.tensor.Tensor;
import java.util.List;

/**
 * One inference call, protocol-neutral.
 *
 * @param model            model name
 * @param version          version, or "" for the newest ready version
 * @param id               the client's request id, echoed in the response ("" if none)
 * @param inputs           decoded input tensors
 * @param outputs          requested outputs; empty means every output as a raw tensor
 * @param deadlineNanoTime {@link System#nanoTime()} after which the client no longer waits;
 *                         {@link Long#MAX_VALUE} for none
 */
public record InferenceRequest(
        String model,
        String version,
        String id,
        List<Tensor> inputs,
        List<RequestedOutput> outputs,
        long deadlineNanoTime) {}
