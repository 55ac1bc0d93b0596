/** The trainer's command line: {@code train} a pair of networks, {@code compare} what a repository holds. */
package io.shallowserve.trainer.cli;
