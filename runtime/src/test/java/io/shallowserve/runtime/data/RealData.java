package io.shallowserve.runtime.data;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The real Fashion-MNIST splits for tests, read once per test JVM. Found the way the trainer finds them
 * (SHALLOWSERVE_DATA, then /usr/share/datasets); where they are missing the tests fail with the locator's
 * message, which says how to install them: the tests are about real data and mean nothing without it.
 */
public final class RealData {

    private static DataSplits fashionMnist;

    private RealData() {
    }

    public static synchronized DataSplits fashionMnist() {
        if (fashionMnist == null) {
            try {
                DatasetKind kind = DatasetKind.FASHION_MNIST;
                fashionMnist = DataSplits.load(kind, DataLocator.fromSystem().locate(kind, null));
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
        return fashionMnist;
    }
}
