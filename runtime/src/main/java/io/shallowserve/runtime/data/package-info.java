/**
 * Real image data sets, read from their official files: Fashion-MNIST and MNIST (IDX format, plain or
 * gzip) and CIFAR-10 (binary batches).
 *
 * <ul>
 *   <li>{@link io.shallowserve.runtime.data.DatasetKind}: which data set, its files, classes and download URLs.
 *   <li>{@link io.shallowserve.runtime.data.DataLocator}: finds the folder ({@code --data DIR}, then
 *       {@code SHALLOWSERVE_DATA}, then the Debian location) or says exactly where it looked and how to get
 *       the data.
 *   <li>{@link io.shallowserve.runtime.data.DataSplits#load}: the train and test
 *       {@link io.shallowserve.runtime.data.ImageDataset}s of a folder.
 *   <li>{@link io.shallowserve.runtime.data.IdxReader}, {@link io.shallowserve.runtime.data.Cifar10Reader}:
 *       the two file formats, checked byte for byte.
 *   <li>{@link io.shallowserve.runtime.data.Normalization}: per-channel mean and standard deviation of a
 *       training set, which the exported model applies inside its graph.
 * </ul>
 *
 * <p>Nothing here makes up data: a missing or damaged file is a
 * {@link io.shallowserve.runtime.data.DataNotFoundException} or a
 * {@link io.shallowserve.runtime.data.DataFormatException} naming the file and the problem, never a silently
 * smaller data set.
 */
package io.shallowserve.runtime.data;
