/**
 * How one verified model version runs on ONNX Runtime, written once for the server, the trainer's latency and the
 * load tests' floor: sessions on the configured device ({@link io.shallowserve.runtime.exec.SessionFactory}), the
 * execution plans ({@code single} runs the whole graph in one session; {@code wide} runs it in one session with a
 * shallow model's parallel convolutions fused into one; {@code branches} cuts any graph at a fork–join region and
 * runs its stem, then its branches at the same time on a pool of platform threads, then its head; {@code grouped}
 * runs those branches in as many fused groups as cores), the plan choice ({@code auto} measures the candidates, single
 * and wide at every thread count, at load time and keeps the fastest: {@link io.shallowserve.runtime.exec.PlanLoader}),
 * the default thread counts, the one timing loop ({@link io.shallowserve.runtime.exec.PlanTiming}) with its
 * percentiles and the description of the machine it ran on, and the one deep-versus-shallow comparison built on it
 * ({@link io.shallowserve.runtime.exec.PairTiming}).
 */
package io.shallowserve.runtime.exec;
