package io.shallowserve.runtime.exec;

import java.util.ArrayList;
import java.util.List;

/** The names {@link PlanLoader}'s auto gives its candidates, for the tests of every module that check them. */
public final class PlanCandidates {

    private PlanCandidates() {}

    /** "single 1t" to "single Nt" for N = {@link ThreadDefaults#intraOpThreadsMax()}. */
    public static List<String> atEveryThreadCount(String plan) {
        List<String> names = new ArrayList<>();
        for (int threads = 1; threads <= ThreadDefaults.intraOpThreadsMax(); threads++) {
            names.add(plan + " " + threads + "t");
        }
        return names;
    }

    /** The candidates auto measures when {@code candidates} are all it has: none when there is only one. */
    public static List<String> measured(List<String> candidates) {
        return candidates.size() > 1 ? candidates : List.of();
    }

    /** {@code lists} one after the other. */
    @SafeVarargs
    public static List<String> all(List<String>... lists) {
        List<String> names = new ArrayList<>();
        for (List<String> list : lists) {
            names.addAll(list);
        }
        return names;
    }
}
