package io.shallowserve.loadtest.report;

/**
 * One model as one execution plan serves it: the unit the comparison compares.
 *
 * @param model the model's name
 * @param shape "deep" or "shallow" (from its model.json)
 * @param plan  the server's execution plan: "single", "wide" or "branches"
 */
public record ServedModel(String model, String shape, String plan) {

    /** "fashion-deep / single". */
    public String label() {
        return model + " / " + plan;
    }

    /** The baseline of the ratios: a deep model on one session. */
    public boolean isDeepSingle() {
        return shape.equals("deep") && plan.equals("single");
    }
}
