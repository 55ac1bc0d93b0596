package io.shallowserve.runtime.report;

/**
 * Maps an axis's data values to pixels: {@code from} lands on {@code pixelFrom}, {@code to} on {@code pixelTo}
 * (a vertical axis runs from the plot's bottom up, so its pixelFrom is the larger).
 *
 * @param log logarithmic: equal ratios take equal distances (values must be positive)
 */
public record Scale(boolean log, double from, double to, double pixelFrom, double pixelTo) {

    public double map(double value) {
        double fraction = log ? (Math.log(value) - Math.log(from)) / (Math.log(to) - Math.log(from))
                : (value - from) / (to - from);
        return pixelFrom + fraction * (pixelTo - pixelFrom);
    }
}
