//! Image content made from a seed: random bytes (splitmix64, no rand dependency), wrapped as a
//! real `tar+gzip` layer: a tar of one file, in gzip made of stored (uncompressed) deflate
//! blocks. Real gzip matters: copy tools sniff a layer's bytes, and one that finds an
//! uncompressed layer may compress it on the way, changing its digest. Random bytes do not
//! compress, so storing them costs nothing, and the layer's `diff_id` (the tar's digest) is
//! true.

use sha2::{Digest as _, Sha256};

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A seeded generator: splitmix64 (tiny, fast, good enough for bytes nobody reads).
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn fill(&mut self, out: &mut [u8]) {
        let mut chunks = out.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }
}

/// A layer: its gzip bytes (the blob) and the digest of the tar inside (its `diff_id`).
pub(crate) struct Layer {
    pub(crate) blob: Vec<u8>,
    pub(crate) diff_id: String,
}

/// A layer holding one file `name` of `size` random bytes drawn from `seed`.
pub(crate) fn layer(name: &str, size: usize, seed: u64) -> Layer {
    let tar = tar_of_one_file(name, size, seed);
    let diff_id = digest(&tar);
    Layer { blob: gzip_stored(&tar), diff_id }
}

/// A ustar archive of one regular file of random content, ended by two zero blocks.
fn tar_of_one_file(name: &str, size: usize, seed: u64) -> Vec<u8> {
    let padded = size.div_ceil(512) * 512;
    let mut tar = vec![0u8; 512 + padded + 1024];
    let header = &mut tar[..512];
    let name = name.as_bytes();
    header[..name.len().min(99)].copy_from_slice(&name[..name.len().min(99)]);
    header[100..108].copy_from_slice(b"0000644\0");
    header[108..116].copy_from_slice(b"0000000\0");
    header[116..124].copy_from_slice(b"0000000\0");
    header[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    header[136..148].copy_from_slice(b"00000000000\0");
    header[156] = b'0';
    header[257..263].copy_from_slice(b"ustar\0");
    header[263..265].copy_from_slice(b"00");
    // The checksum is summed with its own field read as spaces.
    header[148..156].copy_from_slice(b"        ");
    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    SplitMix::new(seed).fill(&mut tar[512..512 + size]);
    tar
}

/// `data` in gzip with stored deflate blocks (RFC 1951 §3.2.4, RFC 1952).
fn gzip_stored(data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 65_535;
    let blocks = data.len().div_ceil(BLOCK).max(1);
    let mut out = Vec::with_capacity(10 + data.len() + 5 * blocks + 8);
    // Magic, deflate, no flags, no mtime, no extra flags, OS unix.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
    let mut chunks = data.chunks(BLOCK).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE), table-driven.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = [0u32; 256];
        for (n, entry) in table.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            *entry = c;
        }
        table
    });
    !data.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_the_check_string() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn a_layer_is_gzip_that_gunzip_and_tar_accept() {
        let dir = tempfile::tempdir().unwrap();
        let layer = layer("data.bin", 200_000, 7);
        let gz = dir.path().join("layer.tar.gz");
        std::fs::write(&gz, &layer.blob).unwrap();
        let listed = std::process::Command::new("tar").arg("-tvzf").arg(&gz).output().unwrap();
        assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
        let listing = String::from_utf8_lossy(&listed.stdout);
        assert!(listing.contains("200000") && listing.contains("data.bin"), "{listing}");
        let tar = std::process::Command::new("gzip").arg("-dc").arg(&gz).output().unwrap();
        assert!(tar.status.success());
        assert_eq!(digest(&tar.stdout), layer.diff_id);
    }

    #[test]
    fn the_same_seed_makes_the_same_bytes_and_another_seed_others() {
        assert_eq!(layer("a", 1000, 1).blob, layer("a", 1000, 1).blob);
        assert_ne!(layer("a", 1000, 1).blob, layer("a", 1000, 2).blob);
    }
}
