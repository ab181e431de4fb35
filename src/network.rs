//! The validated network: who supplies whom, built once from the locations' `source` keys.
//!
//! Every walk up or down the supply chain goes through [`Network`]: the chain of a location's
//! stocking sources ([`Network::up_from`]), the locations it supplies ([`Network::children`]), a
//! topological order ([`Network::downstream_first`]) and echelon heights ([`Network::height`]).
//! The type is only built acyclic (links on a cycle are reported and cut), so every walk ends by
//! construction, after at most as many steps as there are locations.

/// A location's index in the scenario's list of locations (file order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocId(pub u32);

impl LocId {
    /// The index as `usize`, for indexing per-location arrays.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// A stocking position's index (one SKU at one location) in the compiled model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PosId(pub u32);

impl PosId {
    /// "No position" (e.g. the parent of a position supplied by an external supplier).
    pub const NONE: PosId = PosId(u32::MAX);

    /// Whether this is [`PosId::NONE`].
    #[inline]
    pub fn is_none(self) -> bool {
        self == Self::NONE
    }

    /// The index as `usize`, for indexing per-position arrays.
    #[inline]
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// Who supplies whom: sources, children, ancestors, a topological order and echelon heights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Network {
    /// Each location's source (any kind, suppliers included), after cycles were cut.
    source: Vec<Option<usize>>,
    /// Whether a location is an external supplier (outside the measured network).
    supplier: Vec<bool>,
    /// Locations each location supplies, in file order.
    children: Vec<Vec<usize>>,
    /// Every location, each after all the locations it supplies (stores before their DCs).
    order: Vec<usize>,
    /// Echelon height: 0 for suppliers, 1 for a stocking location that supplies no other
    /// stocking location, else 1 + the highest of those it supplies.
    height: Vec<u32>,
}

/// A cycle of `source` links found while building a [`Network`]: the locations on it, in the
/// order they order from each other (each orders from the next, the last from the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cycle(pub Vec<usize>);

impl Network {
    /// Builds the network from each location's source and whether it is a supplier. Cycles are
    /// returned (each once) and cut at the link that closes them, so the network is acyclic.
    pub fn build(sources: &[Option<usize>], supplier: &[bool]) -> (Network, Vec<Cycle>) {
        let n = sources.len();
        assert_eq!(n, supplier.len(), "one supplier flag per location");
        let mut source: Vec<Option<usize>> = sources.to_vec();
        // 0 = unvisited, 1 = on the current walk, 2 = done (its chain ends).
        let mut mark = vec![0u8; n];
        let mut cycles = Vec::new();
        let mut walk = Vec::new();
        for start in 0..n {
            walk.clear();
            let mut cur = Some(start);
            while let Some(c) = cur {
                match mark[c] {
                    2 => break,
                    1 => {
                        // `c` is on the current walk: the links from `c` to the walk's end
                        // close a cycle. Cut the last one (the walk's end orders from `c`).
                        let at = walk.iter().position(|&x| x == c).expect("on the walk");
                        cycles.push(Cycle(walk[at..].to_vec()));
                        let last = *walk.last().expect("non-empty walk");
                        source[last] = None;
                        break;
                    }
                    _ => {
                        mark[c] = 1;
                        walk.push(c);
                        cur = source[c];
                    }
                }
            }
            for &x in &walk {
                mark[x] = 2;
            }
        }
        let mut children = vec![Vec::new(); n];
        for (l, s) in source.iter().enumerate() {
            if let Some(s) = *s {
                children[s].push(l);
            }
        }
        // Heights bottom-up: a location's height is known once all its children's are.
        let mut height = vec![0u32; n];
        let mut pending: Vec<usize> = children.iter().map(Vec::len).collect();
        let mut order: Vec<usize> = (0..n).filter(|&l| pending[l] == 0).collect();
        let mut i = 0;
        while i < order.len() {
            let l = order[i];
            i += 1;
            if !supplier[l] {
                height[l] = height[l].max(1);
            }
            if let Some(s) = source[l] {
                if !supplier[s] {
                    height[s] = height[s].max(height[l] + 1);
                }
                pending[s] -= 1;
                if pending[s] == 0 {
                    order.push(s);
                }
            }
        }
        debug_assert_eq!(order.len(), n, "an acyclic network orders every location");
        (Network { source, supplier: supplier.to_vec(), children, order, height }, cycles)
    }

    /// Number of locations (suppliers included).
    pub fn len(&self) -> usize {
        self.source.len()
    }

    /// Whether the network has no location.
    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    /// The location `l` orders from, of any kind (`None` for suppliers and cut links).
    pub fn source(&self, l: usize) -> Option<usize> {
        self.source[l]
    }

    /// The stocking location `l` orders from (`None` when it orders from a supplier).
    pub fn stocking_source(&self, l: usize) -> Option<usize> {
        self.source[l].filter(|&s| !self.supplier[s])
    }

    /// Whether `l` is an external supplier.
    pub fn is_supplier(&self, l: usize) -> bool {
        self.supplier[l]
    }

    /// The locations `l` supplies, in file order.
    pub fn children(&self, l: usize) -> &[usize] {
        &self.children[l]
    }

    /// `l` (unless it is a supplier) and every stocking location above it, nearest first: the
    /// locations whose stock at-and-below includes `l`'s.
    pub fn up_from(&self, l: usize) -> UpFrom<'_> {
        UpFrom { net: self, next: Some(l).filter(|&l| !self.supplier[l]) }
    }

    /// The stocking locations above `l`, nearest first.
    pub fn ancestors(&self, l: usize) -> UpFrom<'_> {
        UpFrom { net: self, next: self.stocking_source(l) }
    }

    /// Every location, each after all the locations it supplies (stores before their DCs).
    pub fn downstream_first(&self) -> &[usize] {
        &self.order
    }

    /// Echelon height of `l`: 0 for suppliers, 1 for a stocking location that supplies no other
    /// stocking location, else 1 + the highest of those it supplies.
    pub fn height(&self, l: usize) -> u32 {
        self.height[l]
    }

    /// The highest echelon height in the network (0 when it has no stocking location).
    pub fn max_height(&self) -> u32 {
        self.height.iter().copied().max().unwrap_or(0)
    }
}

/// Iterator up a chain of stocking sources; see [`Network::up_from`].
pub struct UpFrom<'a> {
    net: &'a Network,
    next: Option<usize>,
}

impl Iterator for UpFrom<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let l = self.next?;
        self.next = self.net.stocking_source(l);
        Some(l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// supplier 0 → dc 1 → stores 2, 3; store 4 straight from the supplier.
    fn two_echelons() -> Network {
        let (net, cycles) =
            Network::build(&[None, Some(0), Some(1), Some(1), Some(0)], &[true, false, false, false, false]);
        assert!(cycles.is_empty());
        net
    }

    #[test]
    fn walks_heights_and_order() {
        let net = two_echelons();
        assert_eq!(net.up_from(2).collect::<Vec<_>>(), vec![2, 1]);
        assert_eq!(net.ancestors(2).collect::<Vec<_>>(), vec![1]);
        assert_eq!(net.up_from(0).count(), 0);
        assert_eq!(net.up_from(4).collect::<Vec<_>>(), vec![4]);
        assert_eq!(net.children(1), &[2, 3]);
        assert_eq!((0..5).map(|l| net.height(l)).collect::<Vec<_>>(), vec![0, 2, 1, 1, 1]);
        assert_eq!(net.max_height(), 2);
        let order = net.downstream_first();
        let at = |l| order.iter().position(|&x| x == l).unwrap();
        assert!(at(2) < at(1) && at(3) < at(1) && at(1) < at(0) && at(4) < at(0));
    }

    #[test]
    fn cycles_are_reported_once_and_cut() {
        // 1 → 2 → 3 → 1, and 4 hangs below the cycle.
        let (net, cycles) =
            Network::build(&[None, Some(2), Some(3), Some(1), Some(1)], &[true, false, false, false, false]);
        assert_eq!(cycles.len(), 1);
        let mut on = cycles[0].0.clone();
        on.sort();
        assert_eq!(on, vec![1, 2, 3]);
        // Every walk ends, and every location is ordered.
        for l in 0..5 {
            assert!(net.up_from(l).count() <= 5);
        }
        assert_eq!(net.downstream_first().len(), 5);
    }
}
