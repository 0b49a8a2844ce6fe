//! Helpers for the crate's own tests: a tiny deterministic random source (xorshift64), the same
//! on every platform, so that property tests and fixtures draw the same pixels everywhere.

/// A xorshift64 generator started from `seed` (made odd, so that it never sticks at zero); each
/// call returns the next state.
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

/// `n` random pixels, each set when `keep` holds for its draw of [`xorshift`]`(seed)`.
pub fn random_bits(n: u32, seed: u64, keep: impl Fn(u64) -> bool) -> Vec<bool> {
    let mut next = xorshift(seed);
    (0..n).map(|_| keep(next())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_xorshift64_from_an_odd_seed() {
        let mut next = xorshift(0);
        let s1 = {
            let mut s = 1u64;
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        assert_eq!(next(), s1);
        assert_ne!(next(), s1);
        assert_eq!(
            random_bits(4, 7, |x| x % 2 == 0),
            random_bits(4, 6, |x| x % 2 == 0),
            "6 and 7 are the same odd seed"
        );
    }
}
