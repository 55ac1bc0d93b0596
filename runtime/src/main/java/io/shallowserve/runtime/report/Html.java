package io.shallowserve.runtime.report;

/** Text into HTML and SVG, as element content or as a double-quoted attribute value. */
public final class Html {

    private Html() {
    }

    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
