//! Real registries for the workspace's tests and benchmarks.
