//! Shared by the integration tests: a temporary directory removed on drop
//! (the unit tests' own).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

#[path = "../../src/testing/temp_dir.rs"]
mod temp_dir;

pub(crate) use temp_dir::TempDir;
