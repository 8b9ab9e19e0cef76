//! `--shard K/N`: which sources one of N processes mirrors, so that N CronJob pods or CI
//! runners given the same sources take each exactly once between them.
//!
//! A source (an argument, or a sync file's `[[source]]`) belongs to the shard of the
//! repository it is copied into, `HOST/REPO` (under `--to HOST/REPO` that is the source's own
//! name below it): `u64(sha256(HOST/REPO)[..8]) mod N`, the first eight bytes of the name's
//! SHA-256 read big-endian. SHA-256 is the same on every machine and release (Rust's
//! `DefaultHasher` promises neither), so processes built apart still agree, and anyone can
//! check where a repository goes with `sha256sum`.
//!
//! The share is by repository, never by tag: all tags of a source repository go to one
//! destination repository, and every source of one destination repository to one process, so
//! two processes never write one repository at once (the run's ledger keeps the images of one
//! process from racing on a shared blob, not those of two).

use std::fmt;

use sha2::{Digest, Sha256};

/// One of `count` shares; `index` counts from 0 (Kubernetes' `JOB_COMPLETION_INDEX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// How many shards a run may be split into: more than there are sensible runners is a typo.
pub const MAX_SHARDS: u32 = 10_000;

impl Shard {
    /// Reads `K/N` (`--shard`, `UHUB_SHARD`); the error says what to type.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let shape = || {
            format!(
                "{text:?} is not K/N: write this process's number K (counting from 0) and the number of \
                 processes N, e.g. --shard 0/3, --shard 1/3 and --shard 2/3 for three"
            )
        };
        let (k, n) = text.trim().split_once('/').ok_or_else(shape)?;
        let number = |s: &str| s.trim().parse::<u32>().ok().filter(|_| s.trim().bytes().all(|b| b.is_ascii_digit()));
        let (Some(index), Some(count)) = (number(k), number(n)) else {
            return Err(shape());
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("--shard {text}: N, the number of processes, is 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!(
                "--shard {text}: K counts from 0, so with N = {count} it is 0 to {}; for an index that \
                 counts from 1 (GitLab's CI_NODE_INDEX) pass $((CI_NODE_INDEX - 1))/$CI_NODE_TOTAL",
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// Whether this shard mirrors into the repository `repository` (`HOST/REPO`).
    pub fn takes(&self, repository: &str) -> bool {
        shard_of(repository, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard (of `count`) that mirrors `repository`.
pub fn shard_of(repository: &str, count: u32) -> u32 {
    let hash = Sha256::digest(repository.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn misuse_is_refused_with_what_to_type() {
        for (text, says) in [
            ("3/3", "0 to 2"),
            ("0/0", "1 to"),
            ("a/b", "e.g. --shard 0/3"),
            ("1", "e.g. --shard 0/3"),
            ("-1/3", "e.g. --shard 0/3"),
            ("+1/3", "e.g. --shard 0/3"),
            ("1/3/4", "e.g. --shard 0/3"),
            ("", "e.g. --shard 0/3"),
            ("0/20000", "1 to 10000"),
        ] {
            let err = Shard::parse(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
        assert!(Shard::parse("3/3").unwrap_err().contains("CI_NODE_INDEX - 1"));
        assert_eq!(Shard::parse(" 2/3 "), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard::parse("0/1").unwrap().to_string(), "0/1");
    }

    #[test]
    fn the_hash_is_pinned() {
        // `printf %s docker.io/library/nginx | sha256sum` starts 7e59ad64326bc321: a change here
        // would move repositories between the shards of a fleet whose processes run different
        // releases.
        assert_eq!(shard_of("docker.io/library/nginx", 7), (0x7e59_ad64_326b_c321_u64 % 7) as u32);
        assert_eq!((0..5).map(|n| shard_of(&format!("127.0.0.1:5000/fleet/app{n:03}"), 3)).collect::<Vec<_>>(), PINNED);
    }
    const PINNED: [u32; 5] = [0, 1, 1, 2, 2];

    /// A small deterministic generator (xorshift), so the lists differ and the test repeats.
    fn names(seed: &mut u64, n: usize) -> Vec<String> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                format!("registry{}.example/team{}/app-{:x}", *seed % 5, *seed % 11, *seed)
            })
            .collect()
    }

    #[test]
    fn shards_are_disjoint_and_complete_for_many_source_lists() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for round in 0..300 {
            let sources = names(&mut seed, round % 60);
            for count in [1, 2, 3, 5, 8] {
                let taken: Vec<Vec<&String>> = (0..count)
                    .map(|index| {
                        let shard = Shard { index, count };
                        sources.iter().filter(|s| shard.takes(s)).collect()
                    })
                    .collect();
                // Complete and disjoint: every source taken exactly once.
                assert_eq!(taken.iter().map(Vec::len).sum::<usize>(), sources.len(), "round {round}, {count}");
                let union: BTreeSet<&String> = taken.iter().flatten().copied().collect();
                assert_eq!(union, sources.iter().collect(), "round {round}, {count}");
            }
        }
    }

    #[test]
    fn a_large_fleet_spreads_over_the_shards() {
        let mut seed = 42;
        let sources = names(&mut seed, 3000);
        for index in 0..3 {
            let share = sources.iter().filter(|s| Shard { index, count: 3 }.takes(s)).count();
            assert!((800..1200).contains(&share), "shard {index}/3 took {share} of 3000");
        }
    }
}
