//! The projections shipped in the binary, as the demo data is: the ones
//! in `assets/projections`, for the bundled demo's streams, so that plain
//! `rewind` shows them from any directory.

/// File name and source of each shipped projection.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "bank.js",
        include_str!("../../../assets/projections/bank.js"),
    ),
    (
        "carts.js",
        include_str!("../../../assets/projections/carts.js"),
    ),
    (
        "flights.js",
        include_str!("../../../assets/projections/flights.js"),
    ),
];

/// The source of the shipped projection `name`.
pub fn source(name: &str) -> Option<&'static str> {
    SHIPPED
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}

/// Every shipped projection, as specs.
pub fn all() -> Vec<super::ProjectionSpec> {
    SHIPPED
        .iter()
        .map(|(name, _)| super::ProjectionSpec::Shipped(name))
        .collect()
}
