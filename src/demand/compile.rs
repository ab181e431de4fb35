//! Demand: customer demand streams, seasonality, promotions, shocks and common factors.: compile.
