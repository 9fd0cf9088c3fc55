//! Runnable examples for omniscope: see `examples/README.md` for the list.
