//! A stacked bar chart of counts by month, drawn on the server as SVG (no script), and the
//! tables a report page shows its figures in, each figure linked to what is behind it.

use casework_domain::table::{Cell, Table};

/// Colours for a chart's series, from the design system's palette, in an order where
/// neighbours differ; a chart with more series than colours starts again.
const PALETTE: [&str; 12] = [
    "#00703c", "#1d70b8", "#d4351c", "#f47738", "#4c2c92", "#28a197", "#b58840", "#d53880", "#505a5f", "#85994b", "#6f72af",
    "#912b88",
];

const CHART_WIDTH: u32 = 640;
const PLOT_LEFT: u32 = 48;
const PLOT_TOP: u32 = 16;
const PLOT_BOTTOM: u32 = 216;

pub(super) struct Segment {
    pub y: u32,
    pub height: u32,
    pub fill: &'static str,
}

pub(super) struct Bar {
    pub x: u32,
    pub width: u32,
    /// Where the month's label is centred.
    pub label_x: u32,
    pub label: String,
    pub segments: Vec<Segment>,
}

pub(super) struct Tick {
    pub y: u32,
    pub value: u32,
}

/// A chart as its template draws it.
pub(super) struct Chart {
    /// Unique on the page; the SVG's title and description are `{id}-title`, `{id}-desc`.
    pub id: String,
    pub title: String,
    /// For screen readers: what the chart shows, in words, and where its figures are.
    pub description: String,
    pub legend: Vec<(String, &'static str)>,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
}

/// Scales counts to the plot: a round maximum so the ticks read as whole numbers.
fn scale_max(largest: u32) -> u32 {
    let largest = largest.max(1);
    let step = if largest <= 5 { 1 } else { largest.div_ceil(5) };
    step * largest.div_ceil(step)
}

/// Bars for each `(label, counts)`, stacked bottom up in the order of `series`.
pub(super) fn stacked(id: &str, title: &str, description: String, series: &[String], bars: &[(String, Vec<u32>)]) -> Chart {
    let max = scale_max(bars.iter().map(|(_, counts)| counts.iter().sum()).max().unwrap_or(0));
    let plot_height = PLOT_BOTTOM - PLOT_TOP;
    let slots = u32::try_from(bars.len()).unwrap_or(1).max(1);
    let slot = (CHART_WIDTH - PLOT_LEFT - 8) / slots;
    let width = (slot * 3 / 5).max(4);
    let drawn = bars
        .iter()
        .zip(0u32..)
        .map(|((label, counts), i)| {
            let x = PLOT_LEFT + i * slot + (slot - width) / 2;
            let mut top = PLOT_BOTTOM;
            let segments = counts
                .iter()
                .zip(PALETTE.iter().cycle())
                .filter_map(|(count, fill)| {
                    let height = count * plot_height / max;
                    (height > 0).then(|| {
                        top -= height;
                        Segment { y: top, height, fill }
                    })
                })
                .collect();
            Bar { x, width, label_x: x + width / 2, label: label.clone(), segments }
        })
        .collect();
    let step = if max <= 5 { 1 } else { max / 5 };
    let ticks = (0..=max / step).map(|k| Tick { y: PLOT_BOTTOM - k * step * plot_height / max, value: k * step }).collect();
    Chart {
        id: id.to_owned(),
        title: title.to_owned(),
        description,
        legend: series.iter().cloned().zip(PALETTE.iter().copied().cycle()).collect(),
        bars: drawn,
        ticks,
    }
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

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Percent(p) => format!("{p:.1}%"),
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
    format!("{path}?{}", serde_urlencoded::to_string(given).unwrap_or_default())
}
