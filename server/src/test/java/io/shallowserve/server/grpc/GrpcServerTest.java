package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import org.junit.jupiter.api.Test;

class GrpcServerTest {

    /** Decoding tensors on an event loop would hold up every other connection on it. */
    @Test
    void runsOnWorkers_everyMethodThatDecodesTensors_andNoCheapOne() {
        for (MethodDescriptor<?, ?> method : GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods()) {
            boolean decodesTensors = method.getBareMethodName().equals("ModelInfer")
                    || method.getBareMethodName().equals("ModelStreamInfer");
            boolean repository = method.getBareMethodName().startsWith("Repository");
            assertThat(GrpcServer.runsOnWorkers(method.getFullMethodName())).as(method.getFullMethodName())
                    .isEqualTo(decodesTensors || repository);
        }
    }
}
