//! Plots (placeholder; being written).
