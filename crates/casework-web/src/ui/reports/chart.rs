//! Charts drawn on the server as SVG geometry, no script: upright columns (one per month,
//! say; `chart_columns.html`), horizontal bars (one per worker, say; `chart_bars.html`) and
//! stacked columns by month (`report_chart.html`). Each chart is a picture of the data
//! table that follows it, so it carries no figure the table does not; the templates give it
//! `role="img"`, a title and a description. Also the tables a report page shows its figures
//! in, each figure linked to what is behind it.

use casework_domain::table::{Cell, Table};

/// The width of every chart's view box.
pub(super) const WIDTH: u32 = 640;
/// Where the plot begins, leaving room for the axis labels.
const LEFT: u32 = 48;
const TOP: u32 = 16;
const BOTTOM: u32 = 216;

pub(super) struct Column {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// Where the label and the value are centred.
    pub middle: u32,
    pub label: String,
    /// The figure written above the column.
    pub value: String,
}

pub(super) struct Tick {
    pub y: u32,
    pub value: u32,
}

pub(super) struct ColumnChart {
    pub columns: Vec<Column>,
    pub ticks: Vec<Tick>,
    /// What the scale's marks count in: "" or "%".
    pub unit: &'static str,
    pub fill: &'static str,
}

/// A round maximum so the ticks read as whole numbers.
fn scale_max(largest: u32) -> u32 {
    let largest = largest.max(1);
    let step = if largest <= 5 { 1 } else { largest.div_ceil(5) };
    step * largest.div_ceil(step)
}

/// The scale's marks up to `max` (a round maximum from `scale_max`).
fn ticks(max: u32) -> Vec<Tick> {
    let step = if max <= 5 { 1 } else { max / 5 };
    (0..=max / step).map(|k| Tick { y: BOTTOM - k * step * (BOTTOM - TOP) / max, value: k * step }).collect()
}

/// Upright bars, one per item, with a scale on the left.
pub(super) fn columns(items: &[(String, u32)]) -> ColumnChart {
    let max = scale_max(items.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let plot_height = BOTTOM - TOP;
    let placed = items.iter().map(|(label, value)| (label.clone(), value * plot_height / max, value.to_string()));
    ColumnChart { columns: place(placed.collect()), ticks: ticks(max), unit: "", fill: "#1d70b8" }
}

/// Upright bars of shares on a scale of 0 to 100%, one per item. An item with no share (it
/// had nothing to count) has no bar and reads "none".
pub(super) fn shares(items: &[(String, Option<f64>)]) -> ColumnChart {
    let plot_height = BOTTOM - TOP;
    let placed = items.iter().map(|(label, share)| {
        // Whole per cent is plenty for a bar's height.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = share.map_or(0, |p| p.round().clamp(0.0, 100.0) as u32);
        (label.clone(), whole * plot_height / 100, share.map_or_else(|| "none".to_owned(), |p| format!("{p:.0}%")))
    });
    ColumnChart { columns: place(placed.collect()), ticks: ticks(100), unit: "%", fill: "#00703c" }
}

/// Columns side by side across the plot, each `(label, height, value)`.
fn place(items: Vec<(String, u32, String)>) -> Vec<Column> {
    let slots = u32::try_from(items.len()).unwrap_or(1).max(1);
    let slot = (WIDTH - LEFT - 8) / slots;
    let width = (slot * 3 / 5).max(4);
    items
        .into_iter()
        .zip(0u32..)
        .map(|((label, height, value), i)| {
            let x = LEFT + i * slot + (slot - width) / 2;
            Column { x, y: BOTTOM - height, width, height, middle: x + width / 2, label, value }
        })
        .collect()
}

pub(super) struct Bar {
    /// The top of the bar; its label sits at `text_y`.
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    /// Where the value is written, just past the bar's end.
    pub value_x: u32,
    pub label: String,
    pub value: u32,
}

pub(super) struct BarChart {
    pub bars: Vec<Bar>,
    /// The view box's height: one row per bar.
    pub height: u32,
    /// Where the bars begin (the labels are right-aligned just before it).
    pub left: u32,
}

const ROW: u32 = 28;
const BAR_LEFT: u32 = 200;

/// Horizontal bars, one per item, labelled on the left with the value at the end.
pub(super) fn bars(items: &[(String, u32)]) -> BarChart {
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let room = WIDTH - BAR_LEFT - 48;
    let bars = items
        .iter()
        .zip(0u32..)
        .map(|((label, value), i)| {
            let width = value * room / max;
            let y = 8 + i * ROW;
            Bar { y, text_y: y + 14, width, value_x: BAR_LEFT + width + 6, label: label.clone(), value: *value }
        })
        .collect();
    BarChart { bars, height: 16 + u32::try_from(items.len()).unwrap_or(0) * ROW, left: BAR_LEFT }
}

/// Colours for a chart's series, from the design system's palette, in an order where
/// neighbours differ; a chart with more series than colours starts again.
const PALETTE: [&str; 12] = [
    "#00703c", "#1d70b8", "#d4351c", "#f47738", "#4c2c92", "#28a197", "#b58840", "#d53880", "#505a5f", "#85994b", "#6f72af",
    "#912b88",
];

pub(super) struct Segment {
    pub y: u32,
    pub height: u32,
    pub fill: &'static str,
}

pub(super) struct StackedColumn {
    pub x: u32,
    pub width: u32,
    /// Where the month's label is centred.
    pub label_x: u32,
    pub label: String,
    pub segments: Vec<Segment>,
}

/// A chart as its template draws it.
pub(super) struct Chart {
    /// Unique on the page; the SVG's title and description are `{id}-title`, `{id}-desc`.
    pub id: String,
    pub title: String,
    /// For screen readers: what the chart shows, in words, and where its figures are.
    pub description: String,
    pub legend: Vec<(String, &'static str)>,
    pub bars: Vec<StackedColumn>,
    pub ticks: Vec<Tick>,
}

/// Bars for each `(label, counts)`, stacked bottom up in the order of `series`, coloured
/// from the palette.
pub(super) fn stacked(id: &str, title: &str, description: String, series: &[String], bars: &[(String, Vec<u32>)]) -> Chart {
    let legend = series.iter().cloned().zip(PALETTE.iter().copied().cycle()).collect();
    stacked_in(id, title, description, legend, bars)
}

/// As `stacked`, with each series in the colour the legend gives it, for a chart whose
/// colours carry a meaning (a breach in red).
pub(super) fn stacked_in(
    id: &str,
    title: &str,
    description: String,
    legend: Vec<(String, &'static str)>,
    bars: &[(String, Vec<u32>)],
) -> Chart {
    let max = scale_max(bars.iter().map(|(_, counts)| counts.iter().sum()).max().unwrap_or(0));
    let plot_height = BOTTOM - TOP;
    let slots = u32::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = (WIDTH - LEFT - 8) / slots;
    let width = (slot * 3 / 5).max(4);
    let drawn = bars
        .iter()
        .zip(0u32..)
        .map(|((label, counts), i)| {
            let x = LEFT + i * slot + (slot - width) / 2;
            let mut top = BOTTOM;
            let segments = counts
                .iter()
                .zip(legend.iter().map(|(_, fill)| *fill))
                .filter_map(|(count, fill)| {
                    let height = count * plot_height / max;
                    (height > 0).then(|| {
                        top -= height;
                        Segment { y: top, height, fill }
                    })
                })
                .collect();
            StackedColumn { x, width, label_x: x + width / 2, label: label.clone(), segments }
        })
        .collect();
    let ticks = ticks(max);
    Chart { id: id.to_owned(), title: title.to_owned(), description, legend, bars: drawn, ticks }
}

/// A cell of a page's table, linked to what is behind it when there is something.
pub(super) struct PageCell {
    pub text: String,
    pub numeric: bool,
    pub link: Option<String>,
}

pub(super) struct PageRow {
    /// The first cell, the row's heading.
    pub heading: String,
    pub cells: Vec<PageCell>,
}

/// A report's table as its page shows it: the same table the export gives, with links.
pub(super) struct PageTable {
    pub caption: String,
    pub columns: Vec<String>,
    pub rows: Vec<PageRow>,
}

/// A cell as a page shows it.
pub(super) fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Percent(p) => format!("{p:.1}%"),
        Cell::Decimal(value) => format!("{value:.1}"),
        Cell::Date(d) => d.strftime("%-d %B %Y").to_string(),
        Cell::Time(t) => t.to_string(),
        Cell::Empty => "–".to_owned(),
    }
}

/// Shows `table`, linking each non-zero count at (row, column) to `link(row, column)`.
pub(super) fn page_table(table: &Table, link: impl Fn(usize, usize) -> Option<String>) -> PageTable {
    PageTable {
        caption: table.title.clone(),
        columns: table.columns.clone(),
        rows: table
            .rows
            .iter()
            .enumerate()
            .map(|(r, row)| PageRow {
                heading: row.first().map(text).unwrap_or_default(),
                cells: row
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(|(c, cell)| {
                        let shown = text(cell);
                        // Waits are shown as text ("10.5", or "–" for none) but read as numbers.
                        let numeric = !matches!(cell, Cell::Text(_)) || shown == "–" || shown.parse::<f64>().is_ok();
                        let link = matches!(cell, Cell::Count(n) if *n > 0).then(|| link(r, c)).flatten();
                        PageCell { text: shown, numeric, link }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// A link to a list behind a figure: `path` with the query's non-empty parameters.
pub(super) fn link(path: &str, query: &[(&str, String)]) -> String {
    let given: Vec<(&str, &str)> = query.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (*k, v.as_str())).collect();
    if given.is_empty() {
        return path.to_owned();
    }
    format!("{path}?{}", serde_urlencoded::to_string(given).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tallest_item_fills_the_plot_and_the_rest_scale_to_it() {
        let chart = columns(&[("Dec".to_owned(), 2), ("Jan".to_owned(), 4), ("Feb".to_owned(), 0)]);
        assert_eq!(chart.columns[1].height, BOTTOM - TOP);
        assert_eq!(chart.columns[0].height, (BOTTOM - TOP) / 2);
        assert_eq!(chart.columns[2].height, 0);
        assert_eq!(chart.ticks.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert_eq!(chart.columns[1].value, "4");
        let chart = shares(&[("Jan".to_owned(), Some(50.4)), ("Feb".to_owned(), None), ("Mar".to_owned(), Some(100.0))]);
        assert_eq!(chart.columns[0].height, (BOTTOM - TOP) / 2);
        assert_eq!((chart.columns[1].height, chart.columns[1].value.as_str()), (0, "none"));
        assert_eq!((chart.columns[2].height, chart.columns[2].value.as_str()), (BOTTOM - TOP, "100%"));
        assert_eq!(chart.ticks.iter().map(|t| t.value).collect::<Vec<_>>(), [0, 20, 40, 60, 80, 100]);
        let chart = bars(&[("Ann".to_owned(), 6), ("Bob".to_owned(), 3)]);
        assert_eq!(chart.bars[0].width, 2 * chart.bars[1].width);
        assert_eq!(chart.height, 16 + 2 * ROW);
    }
}
