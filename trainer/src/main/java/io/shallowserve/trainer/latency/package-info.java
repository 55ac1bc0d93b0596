/**
 * In-process latency of a pair of exported models, deep and shallow, for the sweep's rows: the server's execution
 * plans and timing loop (io.shallowserve.runtime.exec) with the server's default thread counts on this machine.
 */
package io.shallowserve.trainer.latency;
