package dev.slicedattention.charts;

import java.nio.file.Path;

/** The two files one chart was written to: a PNG for the page and an SVG for print. */
public record ChartFiles(Path png, Path svg) {}
