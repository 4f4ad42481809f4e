//! podctl (placeholder until the CLI issue lands).

fn main() {}
