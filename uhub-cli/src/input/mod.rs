//! What the user hands the CLI, read before anything is sent: names on the command line
//! (`refs`), regular expressions from flags and files (`patterns`), and local files and stdin
//! (`local_file`), each bounded and each refusal saying what to type instead.

pub mod local_file;
pub mod patterns;
pub mod refs;
