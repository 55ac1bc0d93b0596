/**
 * The trainer's command line: {@code train} a pair of networks, {@code compare} what a repository holds, and the
 * research commands (docs/research.md): {@code sweep} a grid of pairs, {@code distill} a shallow student from a
 * teacher, {@code report} on the results.
 */
package io.shallowserve.trainer.cli;
