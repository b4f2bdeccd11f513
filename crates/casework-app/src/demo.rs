//! Demo data for all five reference services (being written).
