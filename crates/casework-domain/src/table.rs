//! A report or a work list as a plain table of typed cells: the one form in which every
//! report and list is exported (CSV, XLSX). Each report builds its tables from its own
//! figures, so an export always says exactly what the page says.

use jiff::Timestamp;
use jiff::civil::Date;

/// One table: a title (a sheet's name in a workbook), column headings and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// A value in a table, typed so a spreadsheet can sum counts and sort dates.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// A share in per cent, to one decimal place.
    Percent(f64),
    /// A measure such as a median wait in days or hours, to one decimal place.
    Decimal(f64),
    Date(Date),
    Time(Timestamp),
    Empty,
}

impl Table {
    pub fn new(title: impl Into<String>, columns: &[&str]) -> Self {
        Table { title: title.into(), columns: columns.iter().map(|c| (*c).to_owned()).collect(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "a row of '{}' has the wrong number of cells", self.title);
        self.rows.push(row);
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Cell::Text(text)
    }
}

impl From<u32> for Cell {
    fn from(count: u32) -> Self {
        Cell::Count(i64::from(count))
    }
}

impl Cell {
    /// A measure to one decimal place, or nothing when there is none (a median of no waits).
    pub fn decimal(value: Option<f64>) -> Cell {
        value.map_or(Cell::Empty, Cell::Decimal)
    }
}

impl From<Option<f64>> for Cell {
    fn from(percent: Option<f64>) -> Self {
        percent.map_or(Cell::Empty, Cell::Percent)
    }
}
