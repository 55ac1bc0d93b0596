package io.shallowserve.trainer.report;

import io.shallowserve.trainer.sweep.SweepPoint;
import io.shallowserve.trainer.sweep.SweepRow;
import io.shallowserve.trainer.sweep.SweepShape;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rows of one sweep point by shape: same spec, same seed, same split. */
record PointRows(SweepPoint point, Map<SweepShape, SweepRow> byShape) {

    PointRows {
        byShape = Collections.unmodifiableMap(new EnumMap<>(byShape));
    }

    boolean has(SweepShape shape) {
        return byShape.containsKey(shape);
    }

    SweepRow row(SweepShape shape) {
        SweepRow row = byShape.get(shape);
        if (row == null) {
            throw new IllegalArgumentException(point.id() + " has no " + shape.id() + " row");
        }
        return row;
    }

    /** Every point in the order its first row appears; a later row of the same point and shape replaces one before. */
    static List<PointRows> of(List<SweepRow> rows) {
        Map<String, Map<SweepShape, SweepRow>> byPoint = new LinkedHashMap<>();
        for (SweepRow row : rows) {
            byPoint.computeIfAbsent(row.point().id(), id -> new EnumMap<>(SweepShape.class)).put(row.shape(), row);
        }
        return byPoint.values().stream()
                .map(shapes -> new PointRows(shapes.values().iterator().next().point(), shapes)).toList();
    }
}
