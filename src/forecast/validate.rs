//! Forecasts: moving averages and smoothing that drive push allocation and dynamic levels.: validate.
