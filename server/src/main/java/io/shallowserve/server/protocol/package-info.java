/**
 * What the gRPC and HTTP front-ends share beyond the engine's API: the server metadata both report, the checks of
 * tensor shapes as clients send them and the writing of their values into tensors
 * ({@link io.shallowserve.server.protocol.TensorBuilder}), Triton's model configuration ({@link
 * io.shallowserve.server.protocol.ModelConfiguration}) and load parameters ({@link
 * io.shallowserve.server.protocol.ConfigOverride}), the answers to Triton's extensions this server does not offer,
 * and {@link io.shallowserve.server.protocol.EngineCall}, a front-end's call of the engine.
 */
package io.shallowserve.server.protocol;
