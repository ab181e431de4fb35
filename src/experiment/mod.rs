//! Experiments: compare variants on common random numbers, parameter sweeps, safety-stock sizing.
