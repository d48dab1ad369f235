package dev.slicedattention.charts;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.text.AttributedString;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.LogTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueTick;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;

/**
 * A base-10 log axis with minor gridlines at 2..9 × 10^k across the whole range that, when its
 * range spans fewer than {@value #LABEL_MINOR_BELOW_DECADES} decades, also labels the 2× and 5×
 * minor ticks so a narrow range still reads.
 */
final class DecadeAxis extends LogAxis {
    static final double LABEL_MINOR_BELOW_DECADES = 2.5;

    DecadeAxis(String label) {
        super(label);
        setBase(10);
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected List refreshTicksVertical(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return labelMinor(super.refreshTicksVertical(g2, dataArea, edge));
    }

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    protected List refreshTicksHorizontal(Graphics2D g2, Rectangle2D dataArea, RectangleEdge edge) {
        return labelMinor(super.refreshTicksHorizontal(g2, dataArea, edge));
    }

    /**
     * Keeps the major (decade) ticks and rebuilds the minor ones at 2..9 × 10^k in every decade the
     * range touches (the base class leaves out the partial decade below the first major tick),
     * labelling 2× and 5× when the range is narrow.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private List labelMinor(List ticks) {
        double lower = getLowerBound();
        double upper = getUpperBound();
        if (getTickUnit() == null || getTickUnit().getSize() != 1.0 || !(lower > 0) || !(upper > lower)) {
            return ticks;
        }
        boolean label = Math.log10(upper) - Math.log10(lower) < LABEL_MINOR_BELOW_DECADES
                && getNumberFormatOverride() != null;
        List result = new ArrayList(ticks.size() + 16);
        TextAnchor anchor = null;
        for (Object item : ticks) {
            ValueTick tick = (ValueTick) item;
            if (tick.getTickType() == TickType.MAJOR) {
                result.add(tick);
            }
            anchor = tick.getTextAnchor();
        }
        if (anchor == null) {
            return ticks;
        }
        for (int k = (int) Math.floor(Math.log10(lower)) - 1; k <= (int) Math.ceil(Math.log10(upper)); k++) {
            double decade = Math.pow(10, k);
            for (int m = 2; m <= 9; m++) {
                double value = m * decade;
                if (value < lower || value > upper) {
                    continue;
                }
                AttributedString text = label && (m == 2 || m == 5)
                        ? new AttributedString(getNumberFormatOverride().format(value)) : null;
                result.add(new LogTick(TickType.MINOR, value, text, anchor));
            }
        }
        return result;
    }
}
