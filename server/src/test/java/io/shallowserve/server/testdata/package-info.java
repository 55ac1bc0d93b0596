/** Real test data shared by the server's tests: the Fashion-MNIST test split, read without the trainer. */
package io.shallowserve.server.testdata;
