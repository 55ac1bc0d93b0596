package io.shallowserve.runtime.report;

/** The charts' data colours: the "tab10" palette (matplotlib's default), which most readers tell apart. */
public final class Colors {

    public static final String BLUE = "#1f77b4";
    public static final String ORANGE = "#ff7f0e";
    public static final String GREEN = "#2ca02c";
    public static final String RED = "#d62728";
    public static final String PURPLE = "#9467bd";
    public static final String BROWN = "#8c564b";

    private Colors() {
    }
}
