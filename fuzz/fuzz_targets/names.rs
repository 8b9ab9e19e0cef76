//! Arbitrary repository names and references through the name checks: never a panic; a pair
//! the checks accept, put into a URL by the registry's builder, gives exactly the path
//! segments `v2`, the repository's components, `manifests` and the reference, unchanged
//! (nothing resolved, nothing percent-encoded), no query and no fragment; and a refused name
//! is shown on one ASCII line without control characters (at most 80 characters of the name, each escaped in at most 10).
#![no_main]

use libfuzzer_sys::fuzz_target;
use uhub_registry::{names, paths};

fuzz_target!(|input: (&str, &str)| {
    let (repository, reference) = input;
    let checked = (names::check_repository(repository), names::check_reference(reference));
    for refused in [checked.0.as_ref().err(), checked.1.as_ref().err()].into_iter().flatten() {
        let shown = refused.to_string();
        assert!(shown.len() < 900 && !shown.chars().any(|c| c.is_control() || !c.is_ascii()), "{shown}");
    }
    if checked.0.is_ok() {
        assert!(repository.len() <= names::MAX_REPOSITORY_LEN);
        assert!(!repository.split('/').any(|part| part.is_empty() || part == "." || part == ".."));
    }
    if checked.1.is_ok() && !reference.contains(':') {
        assert_eq!(names::check_tag(reference), Ok(()));
    }
    if let (Ok(()), Ok(())) = checked {
        let base = paths::base_url("http", "127.0.0.1:5000").expect("a host");
        let url = paths::v2_url(&base, repository, &["manifests", reference]);
        let mut wanted = vec!["v2"];
        wanted.extend(repository.split('/'));
        wanted.extend(["manifests", reference]);
        assert_eq!(url.path_segments().expect("a path").collect::<Vec<_>>(), wanted);
        assert_eq!((url.query(), url.fragment(), url.host_str()), (None, None, Some("127.0.0.1")));
    }
});
