//! The five reference service definitions, built into the binary so a fresh installation
//! runs without any other file.

pub const SHIPPED: [(&str, &str); 5] = [
    ("services/child-survivor.toml", include_str!("../../../services/child-survivor.toml")),
    ("services/deanery.toml", include_str!("../../../services/deanery.toml")),
    ("services/family-court.toml", include_str!("../../../services/family-court.toml")),
    ("services/ombudsman.toml", include_str!("../../../services/ombudsman.toml")),
    ("services/recovery.toml", include_str!("../../../services/recovery.toml")),
];
