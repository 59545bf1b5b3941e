#![allow(clippy::unwrap_used)]
use super::*;

fn req_from(peer: &str, xff: Option<&str>) -> Request {
    let mut b = Request::builder().uri("/login");
    if let Some(x) = xff {
        b = b.header("x-forwarded-for", x);
    }
    let mut r = b.body(Body::empty()).unwrap();
    r.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    r
}

#[test]
fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    let r = req_from("10.0.0.9:5000", Some("1.2.3.4"));
    assert_eq!(client_ip(&r, &[]), Some("10.0.0.9".parse().unwrap()));
}

#[test]
fn forwarded_for_from_a_trusted_proxy_names_the_client() {
    let proxy: IpNet = "10.0.0.1/32".parse().unwrap();
    let r = req_from("10.0.0.1:5000", Some("6.6.6.6, 1.2.3.4"));
    assert_eq!(client_ip(&r, &[proxy]), Some("1.2.3.4".parse().unwrap()));
}

#[test]
fn every_forwarded_for_line_is_read_right_to_left_through_trusted_ranges() {
    let pods: IpNet = "10.244.0.0/16".parse().unwrap();
    let mut r = req_from("10.244.3.7:5000", None);
    // Two header lines (one per proxy); the client's own claim comes first and is ignored.
    for line in ["6.6.6.6", "203.0.113.5:41000, 10.244.1.2"] {
        r.headers_mut().append("x-forwarded-for", line.parse().unwrap());
    }
    assert_eq!(client_ip(&r, &[pods]), Some("203.0.113.5".parse().unwrap()));
    let r = req_from("10.244.3.7:5000", Some("[2001:db8::9]:443"));
    assert_eq!(client_ip(&r, &[pods]), Some("2001:db8::9".parse().unwrap()));
    let r = req_from("10.244.3.7:5000", Some("6.6.6.6, garbage"));
    assert_eq!(client_ip(&r, &[pods]), Some("10.244.3.7".parse().unwrap()), "garbage: the proxy is all we know");
    let r = req_from("10.244.3.7:5000", Some("10.244.9.9"));
    assert_eq!(client_ip(&r, &[pods]), Some("10.244.9.9".parse().unwrap()), "only proxies: the farthest one");
}

/// One `X-Forwarded-For` hop: an address of the trusted range or not, with or without a
/// port, IPv4 or IPv6, or garbage.
fn hop() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    prop_oneof![
        (0u8..4, any::<u8>()).prop_map(|(c, d)| format!("10.244.{c}.{d}")),
        any::<[u8; 4]>().prop_map(|o| IpAddr::from(o).to_string()),
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(o, p)| format!("{}:{p}", IpAddr::from(o))),
        any::<[u16; 8]>().prop_map(|s| IpAddr::from(s).to_string()),
        (any::<[u16; 8]>(), any::<u16>()).prop_map(|(s, p)| format!("[{}]:{p}", IpAddr::from(s))),
        "[ -~]{0,8}",
    ]
}

proptest::proptest! {
    /// Whatever the header lines hold: an untrusted peer is the client; otherwise the
    /// answer is the peer or a hop, and every hop right of it is a trusted proxy.
    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right(
        peer_trusted in proptest::bool::ANY,
        lines in proptest::collection::vec(proptest::collection::vec(hop(), 0..4), 0..3),
    ) {
        let pods: IpNet = "10.244.0.0/16".parse().unwrap();
        let peer = if peer_trusted { "10.244.3.7:5000" } else { "198.51.100.4:5000" };
        let mut r = req_from(peer, None);
        for line in &lines {
            if let Ok(v) = line.join(", ").parse() {
                r.headers_mut().append("x-forwarded-for", v);
            }
        }
        let sent: Vec<String> = r
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(',').map(|h| h.trim().to_owned()).collect::<Vec<_>>())
            .filter(|h| !h.is_empty())
            .collect();
        let ip = client_ip(&r, &[pods]).unwrap();
        let peer_ip = peer.parse::<SocketAddr>().unwrap().ip();
        if !peer_trusted {
            proptest::prop_assert_eq!(ip, peer_ip);
        } else if ip != peer_ip || sent.iter().any(|h| parse_hop(h) == Some(ip)) {
            let at = sent.iter().rposition(|h| parse_hop(h) == Some(ip));
            proptest::prop_assert!(at.is_some() || ip == peer_ip, "{ip} is not among {sent:?}");
            if let Some(at) = at {
                for right in &sent[at + 1..] {
                    let right = parse_hop(right);
                    proptest::prop_assert!(right.is_some_and(|r| pods.contains(&r)), "{sent:?} -> {ip}");
                }
            }
        }
    }
}
