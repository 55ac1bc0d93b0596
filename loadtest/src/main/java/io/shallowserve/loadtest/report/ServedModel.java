package io.shallowserve.loadtest.report;

/**
 * One model as one execution plan serves it: the unit the comparison compares.
 *
 * @param model the model's name
 * @param shape "deep" or "shallow" (from its model.json)
 * @param plan  the server's execution plan: "auto", "single", "wide", "grouped" or "branches"
 */
public record ServedModel(String model, String shape, String plan) {

    /** "fashion-deep / single". */
    public String label() {
        return model + " / " + plan;
    }

    /** Whether this is a deep model: the first deep one served is the baseline of the ratios. */
    public boolean isDeep() {
        return shape.equals("deep");
    }
}
