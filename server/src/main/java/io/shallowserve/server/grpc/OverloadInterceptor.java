package io.shallowserve.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import java.util.function.BooleanSupplier;

/**
 * Refuses a ModelInfer call as it starts, before its message arrives, when no model version could queue another
 * request. The model a call is for is inside its message, so only the state of every queue can be known this early;
 * a full queue of one model among others with room is still refused per request, once the message is read. Under
 * overload this spares the server receiving, parsing and refusing every large message, which on a busy machine
 * took a refusal seconds instead of a round trip.
 */
final class OverloadInterceptor implements ServerInterceptor {

    private final BooleanSupplier anyQueueHasRoom;

    OverloadInterceptor(BooleanSupplier anyQueueHasRoom) {
        this.anyQueueHasRoom = anyQueueHasRoom;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        if (call.getMethodDescriptor().getFullMethodName()
                .equals(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                && !anyQueueHasRoom.getAsBoolean()) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("every model's queue is full; retry later or add"
                    + " replicas"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
