//! The bounded, non-blocking export pipeline (in progress).

/// Configuration (in progress).
#[derive(Debug, Clone, Default)]
pub struct PipelineConfig;
/// A pipeline (in progress).
#[derive(Debug)]
pub struct Pipeline;
/// Stats (in progress).
#[derive(Debug, Clone, Default)]
pub struct PipelineStats;
