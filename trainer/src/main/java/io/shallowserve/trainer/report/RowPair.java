package io.shallowserve.trainer.report;

import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.sweep.SweepPoint;
import io.shallowserve.trainer.sweep.SweepRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The deep and the shallow row of one sweep point: same spec, same seed, same split. */
record RowPair(SweepRow deep, SweepRow shallow) {

    SweepPoint point() {
        return deep.point();
    }

    /** Both shapes have the same parameters and examples, so the same Q. */
    double q() {
        return deep.q();
    }

    /** Pairs in the order their deep rows appear; a point with only one shape's row is left out. */
    static List<RowPair> of(List<SweepRow> rows) {
        Map<String, SweepRow[]> byPoint = new LinkedHashMap<>();
        for (SweepRow row : rows) {
            SweepRow[] shapes = byPoint.computeIfAbsent(row.point().id(), id -> new SweepRow[2]);
            shapes[row.shape() == NetworkShape.DEEP ? 0 : 1] = row;
        }
        List<RowPair> pairs = new ArrayList<>();
        for (SweepRow[] shapes : byPoint.values()) {
            if (shapes[0] != null && shapes[1] != null) {
                pairs.add(new RowPair(shapes[0], shapes[1]));
            }
        }
        return pairs;
    }
}
