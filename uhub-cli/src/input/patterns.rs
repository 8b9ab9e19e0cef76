//! Regular expressions the user gives (`--match`, `--exclude`, sync and policy files),
//! compiled within bounds: a pattern is small text that can compile into a very large
//! program (`\w{200}` repeats the whole Unicode class of word characters 200 times, about
//! 10 MB), and a file of thousands of them once took gigabytes before the first request.
//!
//! Each pattern may compile to at most [`MAX_COMPILED_BYTES`] (regex's `size_limit`) and its
//! matching cache may grow to [`MAX_CACHE_BYTES`] (`dfa_size_limit`). The patterns of one file
//! share a [`Budget`] of [`MAX_FILE_COMPILED_BYTES`], so a file of many large patterns ends at
//! the first one past it instead of compiling each. A pattern is compiled under growing limits
//! (4 KiB, 16 KiB, ... up to the bound), and the first that holds it is what it is charged:
//! an over-estimate by at most four times, and never more work than the bound.

use regex::{Regex, RegexBuilder};

/// The most one pattern may compile to.
pub const MAX_COMPILED_BYTES: usize = 1 << 20;
/// The most one pattern's matching cache may grow to.
pub const MAX_CACHE_BYTES: usize = 1 << 20;
/// The most the patterns of one file may compile to together: thousands of ordinary ones.
pub const MAX_FILE_COMPILED_BYTES: usize = 32 << 20;
/// The limits a pattern is tried under, smallest first.
const STEPS: [usize; 5] = [4 << 10, 16 << 10, 64 << 10, 256 << 10, MAX_COMPILED_BYTES];
/// The most of a refused pattern an error quotes.
const SHOWN_CHARS: usize = 60;

/// What the patterns of one file may still compile to.
pub struct Budget {
    left: usize,
}

impl Budget {
    /// The budget of one file's patterns.
    pub fn for_file() -> Budget {
        Budget { left: MAX_FILE_COMPILED_BYTES }
    }
}

/// Compiles a pattern given on the command line (clap's value parser for `--match` and
/// `--exclude`): one pattern, within the per-pattern bounds.
pub fn flag(pattern: &str) -> Result<Regex, String> {
    compile(pattern, &mut Budget { left: MAX_COMPILED_BYTES })
}

/// Compiles `pattern` as written, within the per-pattern bounds and what is left of `budget`;
/// the error says which bound it passed (the caller adds the file, line and key).
pub fn compile(pattern: &str, budget: &mut Budget) -> Result<Regex, String> {
    build(pattern, pattern, budget)
}

/// [`compile`] for a pattern that must match a whole name (`^(?:pattern)$`).
pub fn compile_whole(pattern: &str, budget: &mut Budget) -> Result<Regex, String> {
    build(&format!("^(?:{pattern})$"), pattern, budget)
}

/// Compiles `text`, written by the user as `pattern` (what errors quote).
fn build(text: &str, pattern: &str, budget: &mut Budget) -> Result<Regex, String> {
    for limit in STEPS {
        let built = RegexBuilder::new(text).size_limit(limit).dfa_size_limit(MAX_CACHE_BYTES).build();
        match built {
            Ok(re) => {
                if limit > budget.left {
                    return Err(format!(
                        "{} takes the patterns of this file past {} MiB compiled together; use fewer or simpler \
                         patterns",
                        shown(pattern),
                        MAX_FILE_COMPILED_BYTES >> 20
                    ));
                }
                budget.left -= limit;
                return Ok(re);
            }
            Err(regex::Error::CompiledTooBig(_)) => continue,
            Err(e) => {
                return Err(format!(
                    "{} is not a regular expression: {}",
                    shown(pattern),
                    crate::terminal::sanitize::one_line(&e.to_string())
                ));
            }
        }
    }
    Err(format!(
        "{} compiles to more than {} MiB, the most one pattern may; use a simpler one (a counted repetition \
         of a Unicode class such as \\w{{200}} is large: [A-Za-z0-9_]{{200}} or (?-u:\\w){{200}} is not)",
        shown(pattern),
        MAX_COMPILED_BYTES >> 20
    ))
}

/// The pattern quoted for an error, cut when long.
fn shown(pattern: &str) -> String {
    match pattern.char_indices().nth(SHOWN_CHARS) {
        Some((cut, _)) => format!("{:?}...", &pattern[..cut]),
        None => format!("{pattern:?}"),
    }
}

/// The line (from 1) of byte `offset` in `text`, for errors naming where a pattern is written.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_patterns_compile_and_large_ones_are_refused_naming_the_bound() {
        let mut budget = Budget::for_file();
        for pattern in [r"1\.27\..*", r"v[0-9]+\.[0-9]+\.[0-9]+(-rc[0-9]+)?", r"\w+", "(?i)release-.*"] {
            assert!(compile(pattern, &mut budget).is_ok(), "{pattern}");
        }
        let err = compile(r"\w{200}", &mut budget).unwrap_err();
        assert!(err.starts_with(r#""\\w{200}" compiles to more than 1 MiB"#), "{err}");
        assert!(flag(r"\w{200}").is_err() && flag(r"[A-Za-z0-9_]{200}").is_ok());
        let err = compile("(", &mut budget).unwrap_err();
        assert!(err.starts_with(r#""(" is not a regular expression: "#), "{err}");
    }

    #[test]
    fn a_file_budget_ends_at_the_first_pattern_past_it() {
        let mut budget = Budget::for_file();
        // Each compiles under the per-pattern bound, but not under the next smaller step.
        let pattern = r"\w{12}";
        let mut taken = 0;
        let err = loop {
            match compile(pattern, &mut budget) {
                Ok(_) => taken += 1,
                Err(e) => break e,
            }
            assert!(taken < 10_000, "the budget never ended");
        };
        assert!((8..=MAX_FILE_COMPILED_BYTES / (4 << 10)).contains(&taken), "{taken}");
        assert!(err.contains("past 32 MiB compiled together"), "{err}");
    }

    #[test]
    fn long_patterns_are_quoted_cut_and_lines_are_counted_from_one() {
        let err = flag(&format!("{}(", "a".repeat(500))).unwrap_err();
        assert!(err.starts_with(&format!("{:?}...", "a".repeat(60))), "{err}");
        assert_eq!((line_of("a\nb\nc", 0), line_of("a\nb\nc", 2), line_of("a\nb\nc", 99)), (1, 2, 3));
    }
}
