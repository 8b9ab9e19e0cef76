//! The `demo` seed: a few repositories of both kinds, images with pull counts, one image with
//! several hundred tags so that paging is real, and `latest` tags that are aliases of a
//! version tag (one digest, two names), as they usually are.

use crate::store::{Image, Repo};

/// The repositories of the `demo` seed, all in the default project.
pub fn repos() -> Vec<Repo> {
    vec![
        Repo::new("web")
            .public()
            .out_side()
            .description("Front-end images served to the public site")
            .image(Image::new("nginx").pull_count(15_230).numbered_tags(320))
            .image(
                Image::new("node")
                    .pull_count(4_211)
                    .tags(["18-alpine", "20-alpine", "22-alpine"])
                    .alias("latest", "22-alpine"),
            ),
        Repo::new("tools").public().description("Build and debugging helpers"),
        Repo::new("backend")
            .description("Internal services")
            .image(
                Image::new("api-server").pull_count(982).tags(["v2.3.0", "v2.3.1", "v2.4.0"]).alias("latest", "v2.4.0"),
            )
            .image(Image::new("worker").pull_count(377).tags(["v1.0.0", "v1.1.0"])),
        Repo::new("ml-models")
            .description("Model serving images")
            .image(Image::new("triton").pull_count(61).tags(["24.01", "24.02"]))
            .image(Image::new("onnx-export").tags(["0.1.0"])),
    ]
}
