//! GetImageTag response bodies: deterministic tags, compact pages honouring Offset/Limit, and
//! one large pretty-printed body of a given size.

use std::fmt::Write as _;

use uhub_loopback::{Handler, Reply};

/// Writes tag `i` as a JSON object; its name is padded with hex to at least `name_len` bytes.
fn push_tag(out: &mut String, i: usize, name_len: usize, pretty: bool) {
    let mut name = format!("v{}.{}.{}-build.{i:06}-linux-amd64", i % 7, i % 13, i % 31);
    if name.len() < name_len {
        let mut h = i as u64;
        while name.len() < name_len {
            h = mix(h);
            let _ = write!(name, "{h:016x}");
        }
        name.truncate(name_len);
    }
    let digest: String = (0..4).map(|k| format!("{:016x}", mix(i as u64 * 4 + k))).collect();
    let time = format!("2024-05-{:02} {:02}:{:02}:{:02}", 1 + i % 28, i % 24, i % 60, (i / 60) % 60);
    let (open, sep, close) = if pretty { ("{\n      ", ",\n      ", "\n    }") } else { ("{", ",", "}") };
    let colon = if pretty { ": " } else { ":" };
    let _ = write!(
        out,
        "{open}\"TagName\"{colon}\"{name}\"{sep}\"UpdateTime\"{colon}\"{time}\"{sep}\"Digest\"{colon}\"sha256:{digest}\"{close}"
    );
}

/// splitmix64: cheap, deterministic filler.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A compact page of tags `offset..offset+limit` (clipped to `total`), with `TotalCount` total.
pub fn page(total: usize, offset: usize, limit: usize) -> Vec<u8> {
    let end = offset.saturating_add(limit).min(total);
    let mut out = format!("{{\"Action\":\"GetImageTagResponse\",\"RetCode\":0,\"TotalCount\":{total},\"TagSet\":[");
    for i in offset.min(end)..end {
        if i > offset {
            out.push(',');
        }
        push_tag(&mut out, i, 0, false);
    }
    out.push_str("]}");
    out.into_bytes()
}

/// A server handler listing `total` tags by the request's `Offset` and `Limit`.
pub fn pages(total: usize) -> Handler {
    Handler::new(move |request| Reply::json(requested_page(total, &request.body)))
}

/// The page of `total` tags a GetImageTag form asks for (`Offset` 0 and `Limit` 20 by default).
fn requested_page(total: usize, form: &[u8]) -> Vec<u8> {
    let fields = uhub_sdk::runtime::Fields::parse(form);
    let num = |name, default| fields.get(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    page(total, num("Offset", 0), num("Limit", 20))
}

/// A pretty-printed body (two-space indents, as the service's documented examples) of `count`
/// tags whose names are padded so the body is about `bytes` long.
pub fn large(count: usize, bytes: usize) -> Vec<u8> {
    let head = format!(
        "{{\n  \"Action\": \"GetImageTagResponse\",\n  \"RetCode\": 0,\n  \"TotalCount\": {count},\n  \"TagSet\": [\n    "
    );
    let mut probe = String::new();
    push_tag(&mut probe, 0, 0, true);
    let per_tag = probe.len() + ",\n    ".len() - "v0.0.0-build.000000-linux-amd64".len();
    let name_len = (bytes.saturating_sub(head.len() + 6) / count.max(1)).saturating_sub(per_tag);
    let mut out = head;
    out.reserve(bytes);
    for i in 0..count {
        if i > 0 {
            out.push_str(",\n    ");
        }
        push_tag(&mut out, i, name_len, true);
    }
    out.push_str("\n  ]\n}");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uhub_sdk::GetImageTagResponse;

    fn decode(body: &[u8]) -> GetImageTagResponse {
        uhub_sdk::runtime::response("GetImageTag", body, None).expect("bench bodies decode")
    }

    #[test]
    fn pages_honour_offset_limit_and_total() {
        let last = decode(&requested_page(250, b"Offset=200&Limit=100"));
        assert_eq!(last.total_count, 250);
        assert_eq!(last.tag_set.len(), 50);
        assert!(last.tag_set[0].tag_name.contains("build.000200"));
        assert_eq!(decode(&requested_page(250, b"")).tag_set.len(), 20);
        assert!(decode(&page(10, 10, 100)).tag_set.is_empty());
    }

    #[test]
    fn large_bodies_have_the_size_and_count_asked_for() {
        let body = large(2_000, 512 << 10);
        let size = body.len() as f64 / (512 << 10) as f64;
        assert!((0.98..1.02).contains(&size), "{} bytes", body.len());
        let r = decode(&body);
        assert_eq!((r.total_count, r.tag_set.len()), (2_000, 2_000));
        assert!(r.tag_set.iter().all(|t| t.digest.as_deref().is_some_and(|d| d.len() == 71)));
    }
}
