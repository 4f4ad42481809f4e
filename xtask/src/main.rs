//! `cargo xtask`: podctl's dev workflows (placeholder).

fn main() {}
