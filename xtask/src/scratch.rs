//! A scratch workspace root for tests: a temp folder holding a copy of `spec/uhub.json` and
//! whatever pages a test writes, removed when dropped.

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use uhub_codegen::sync;

pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A root whose spec is a copy of the repository's.
    pub fn with_spec() -> Scratch {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("uhub-xtask-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("spec")).unwrap();
        fs::copy(crate::root().join(sync::SPEC), dir.join(sync::SPEC)).unwrap();
        Scratch(dir)
    }

    /// Writes a file under the root and returns its path as text.
    pub fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    pub fn spec(&self) -> String {
        fs::read_to_string(self.0.join(sync::SPEC)).unwrap()
    }

    pub fn set_spec(&self, text: &str) {
        fs::write(self.0.join(sync::SPEC), text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
