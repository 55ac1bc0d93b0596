package io.shallowserve.trainer.report;

import io.shallowserve.trainer.sweep.SweepPoint;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepShape;
import java.util.List;

/** The deep and the shallow row of one sweep point: same spec, same seed, same split. */
record RowPair(SweepRow deep, SweepRow shallow) {

    SweepPoint point() {
        return deep.point();
    }

    /** Both shapes have the same parameters and examples, so the same Q. */
    double q() {
        return deep.q();
    }

    /**
     * Pairs in the order their points' first rows appear; a point without both rows is left out, and rows of other
     * shapes are not part of a pair.
     */
    static List<RowPair> of(List<SweepRow> rows) {
        return PointRows.of(rows).stream()
                .filter(point -> point.has(SweepShape.DEEP) && point.has(SweepShape.SHALLOW))
                .map(point -> new RowPair(point.row(SweepShape.DEEP), point.row(SweepShape.SHALLOW))).toList();
    }
}
