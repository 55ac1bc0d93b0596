package io.shallowserve.loadtest.report;

import io.shallowserve.runtime.report.Table;

/**
 * One of the report's tables with its section heading and the caption that says how to read it.
 *
 * @param title   its heading
 * @param caption what it shows and how to read it
 * @param table   the cells
 */
record TitledTable(String title, String caption, Table table) {}
