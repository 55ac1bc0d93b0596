/**
 * In-process latency with the server's execution plans and timing loop (io.shallowserve.runtime.exec) and its
 * default thread counts: a trained pair for the sweep's rows ({@link io.shallowserve.trainer.latency.PairLatency}),
 * and untrained pairs at growing depth for the depth-scaling experiment
 * ({@link io.shallowserve.trainer.latency.DepthScaling}, written by
 * {@link io.shallowserve.trainer.latency.DepthScalingReport}).
 */
package io.shallowserve.trainer.latency;
