/**
 * Execution plans: how one verified model version runs a batch on ONNX Runtime. {@code single} runs the whole graph
 * in one session; {@code branches} runs a shallow model's stem, then its branches at the same time on a pool of
 * platform threads, then its head; {@code auto} measures the candidates at load time and keeps the fastest
 * ({@link io.shallowserve.server.exec.PlanLoader}).
 */
package io.shallowserve.server.exec;
