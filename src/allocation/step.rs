//! Allocation: rationing rules, reserves, push, launch allocation and rebalancing.: step.
