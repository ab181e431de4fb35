//! Replenishment policies: base-stock, (s, S), (r, Q), echelon base-stock, and stock levels.: validate.
