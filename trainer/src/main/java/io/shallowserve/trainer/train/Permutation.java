package io.shallowserve.trainer.train;

import java.util.Random;

/** Seeded shuffles: the same seed gives the same validation split and batch order on every machine. */
final class Permutation {

    private Permutation() {
    }

    /** 0..size-1 in a random order (Fisher-Yates). */
    static int[] of(int size, Random random) {
        int[] indices = new int[size];
        for (int i = 0; i < size; i++) {
            indices[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = indices[i];
            indices[i] = indices[j];
            indices[j] = swap;
        }
        return indices;
    }
}
