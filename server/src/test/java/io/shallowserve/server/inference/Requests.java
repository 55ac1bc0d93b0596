package io.shallowserve.server.inference;

import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.tensor.Tensor;
import java.util.List;

/** Builds requests for the committed models, whose input is "input" FP32 [N, 1, 28, 28] and output "logits". */
final class Requests {

    static final String INPUT = "input";
    static final String LOGITS = "logits";

    private Requests() {}

    static Tensor pixels(float[] values, int batch) {
        return Tensor.ofFloats(INPUT, new long[] {batch, 1, 28, 28}, values);
    }

    static InferenceRequest request(String model, Tensor input, RequestedOutput... outputs) {
        return new InferenceRequest(model, "", "id-1", List.of(input), List.of(outputs), Long.MAX_VALUE);
    }

    /** The first {@code batch} images of {@code images} as one request for the raw logits. */
    static InferenceRequest images(String model, float[] images, int first, int batch) {
        float[] values = new float[batch * FashionMnist.PIXELS];
        System.arraycopy(images, first * FashionMnist.PIXELS, values, 0, values.length);
        return request(model, pixels(values, batch));
    }

    /** Submits a request already decoded and waits for its response, as a front-end does in two steps. */
    static InferenceResponse infer(RequestRouter router, InferenceRequest request) throws InferenceException {
        return RequestRouter.await(router.submit(request.model(), request.version(), () -> request));
    }

    static float[] logits(InferenceResponse response) {
        return response.outputs().getFirst().floats();
    }
}
