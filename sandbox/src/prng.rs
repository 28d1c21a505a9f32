//! Counter-based pseudo-random numbers: every value is a pure function of
//! (seed, stream, counter), so record N can be derived without generating 1..N-1.

#[inline]
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
pub fn hash3(a: u64, b: u64, c: u64) -> u64 {
    splitmix(splitmix(splitmix(a) ^ b.rotate_left(17)) ^ c.rotate_left(41))
}

/// A small cursor over the counter-based stream for one (seed, kind, id).
pub struct Rng {
    base: u64,
    ctr: u64,
}

impl Rng {
    pub fn new(seed: u64, kind: u64, id: u64) -> Rng {
        Rng {
            base: hash3(seed, kind, id),
            ctr: 0,
        }
    }
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.ctr += 1;
        splitmix(self.base ^ self.ctr.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }
    /// uniform in [0, n)
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    /// uniform in [lo, hi]
    #[inline]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// true with probability pct/100
    #[inline]
    pub fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// uniform f64 in [0,1)
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}
