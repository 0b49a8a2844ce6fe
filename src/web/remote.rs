//! Remote images: which addresses a share link may make the app fetch. Only plain `http://`
//! and `https://` addresses with a host; `javascript:`, `data:`, `file:`, relative addresses and
//! addresses with credentials are refused.

/// Longest remote image address accepted, in characters.
pub const MAX_URL: usize = 2048;

/// Checks an address a link asks to fetch an image from: `http://` or `https://`, a host (no
/// user name or password), at most [`MAX_URL`] characters of the printable ASCII that RFC 3986
/// allows. The error says why not, in words.
pub fn check_image_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_URL {
        return Err("it is longer than 2048 characters");
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    if !url.bytes().all(allowed) {
        return Err(
            "it holds spaces, control or other characters a web address cannot have unencoded",
        );
    }
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("only http:// and https:// addresses are opened")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("addresses with a user name or password are not opened");
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') || h.ends_with(']') => (h, Some(p)),
        _ => (authority, None),
    };
    if let Some(p) = port
        && !(p.len() <= 5 && p.parse::<u16>().is_ok_and(|p| p > 0))
    {
        return Err("the port is not a number from 1 to 65535");
    }
    let valid_host = if let Some(ip6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !ip6.is_empty()
            && ip6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b":.".contains(&b))
    } else {
        !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    if valid_host {
        Ok(())
    } else {
        Err("it has no valid host name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_addresses_are_opened() {
        for good in [
            "http://example.org",
            "HTTPS://Example.org/a.png",
            "https://127.0.0.1:8080/x.tif?download=1",
            "https://[::1]:443/x.png",
            "https://example.org/a%20b.png#z",
        ] {
            assert_eq!(check_image_url(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript://example.org/%0Aalert(1)",
            "data:image/png;base64,AAAA",
            "file:///etc/passwd",
            "/relative/a.png",
            "//example.org/a.png",
            "example.org/a.png",
            "https://",
            "https:///a.png",
            "https://user:pass@example.org/a.png",
            "https://example.org@evil.example/a.png",
            "https://exa mple.org/",
            "https://example.org/\n",
            "https://example.org/<script>",
            "https://exämple.org/",
            "https://example.org:99999/",
            "https://example.org:0/",
            "https://example..org/",
            "https://example.org\\@evil.example/",
            "ftp://example.org/a.png",
        ] {
            assert!(check_image_url(bad).is_err(), "{bad}");
        }
        assert!(check_image_url(&format!("https://example.org/{}", "a".repeat(MAX_URL))).is_err());
    }
}
