//! A tiny DNS server on 127.0.0.1 for tests, so DNS failures are tested without any traffic
//! leaving the machine. Names (under any domain):
//! `nx.*` NXDOMAIN · `noaddr.*` no records · `fail.*` SERVFAIL · `dual.*` 127.0.0.1 and `::1` ·
//! `many.*` 25 addresses, 127.0.1.1 to 127.0.1.25 (all that fit in a 512-byte answer) ·
//! anything else 127.0.0.1.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA};
use hickory_resolver::proto::rr::{RData, Record, RecordType};

/// Records a test serves exactly, before the rules above: (name without the trailing dot,
/// data). A name listed here with other types gets "no records" for the rest.
pub type Zone = Vec<(String, RData)>;

/// An MX record for a zone.
pub fn mx(name: &str, preference: u16, exchange: &str) -> (String, RData) {
    let exchange = hickory_resolver::proto::rr::Name::from_ascii(exchange).unwrap();
    (
        name.to_owned(),
        RData::MX(hickory_resolver::proto::rr::rdata::MX::new(
            preference, exchange,
        )),
    )
}

/// An SRV record for a zone.
pub fn srv(name: &str, priority: u16, port: u16, target: &str) -> (String, RData) {
    let target = hickory_resolver::proto::rr::Name::from_ascii(target).unwrap();
    (
        name.to_owned(),
        RData::SRV(hickory_resolver::proto::rr::rdata::SRV::new(
            priority, 0, port, target,
        )),
    )
}

/// A CNAME record for a zone (answered to every type asked).
pub fn cname(name: &str, target: &str) -> (String, RData) {
    let target = hickory_resolver::proto::rr::Name::from_ascii(target).unwrap();
    (
        name.to_owned(),
        RData::CNAME(hickory_resolver::proto::rr::rdata::CNAME(target)),
    )
}

/// An A record for a zone.
pub fn a(name: &str, addr: Ipv4Addr) -> (String, RData) {
    (name.to_owned(), RData::A(A(addr)))
}

/// Starts the server; returns its address for `--dns-server`.
pub fn serve_dns() -> SocketAddr {
    serve_zone(Vec::new())
}

/// Starts a server that says NXDOMAIN to every name, real ones included: a resolver that
/// lies (a captive portal, a broken forwarder).
pub fn serve_nxdomain_for_all() -> SocketAddr {
    serve_with(|request| {
        let request = Message::from_vec(request).ok()?;
        let mut reply = Message::response(request.metadata.id, request.metadata.op_code);
        reply.metadata.message_type = MessageType::Response;
        reply.metadata.recursion_available = true;
        reply.metadata.response_code = ResponseCode::NXDomain;
        reply.add_query(request.queries.first()?.clone());
        reply.to_vec().ok()
    })
}

/// Starts a server that answers from `zone` first, then by the rules above.
pub fn serve_zone(zone: Zone) -> SocketAddr {
    let zone = std::sync::Arc::new(zone);
    serve_with(move |request| answer(request, &zone))
}

fn serve_with(reply_to: impl Fn(&[u8]) -> Option<Vec<u8>> + Send + 'static) -> SocketAddr {
    let rt = super::runtime();
    let socket = rt
        .block_on(tokio::net::UdpSocket::bind("127.0.0.1:0"))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    rt.spawn(async move {
        let mut buf = [0u8; 1500];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                continue;
            };
            if let Some(reply) = reply_to(&buf[..n]) {
                let _ = socket.send_to(&reply, peer).await;
            }
        }
    });
    addr
}

fn answer(request: &[u8], zone: &Zone) -> Option<Vec<u8>> {
    let request = Message::from_vec(request).ok()?;
    let query = request.queries.first()?.clone();
    let name = query.name().to_ascii().to_ascii_lowercase();
    let mut reply = Message::response(request.metadata.id, request.metadata.op_code);
    reply.metadata.message_type = MessageType::Response;
    reply.metadata.recursion_desired = request.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.metadata.authoritative = true;
    reply.add_query(query.clone());
    let bare = name.trim_end_matches('.');
    let listed: Vec<&RData> = zone
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(bare))
        .map(|(_, data)| data)
        .collect();
    if !listed.is_empty() {
        for data in listed {
            if data.record_type() == query.query_type() || matches!(data, RData::CNAME(_)) {
                reply.add_answer(Record::from_rdata(query.name().clone(), 60, data.clone()));
            }
        }
        return reply.to_vec().ok();
    }
    let first = name.split('.').next().unwrap_or_default();
    match first {
        "nx" => reply.metadata.response_code = ResponseCode::NXDomain,
        "fail" => reply.metadata.response_code = ResponseCode::ServFail,
        "noaddr" => {}
        _ => {
            let owner = query.name().clone();
            match query.query_type() {
                RecordType::A if first == "many" => {
                    for last in 1..=25 {
                        reply.add_answer(Record::from_rdata(
                            owner.clone(),
                            60,
                            RData::A(A(Ipv4Addr::new(127, 0, 1, last))),
                        ));
                    }
                }
                RecordType::A => {
                    reply.add_answer(Record::from_rdata(
                        owner,
                        60,
                        RData::A(A(Ipv4Addr::LOCALHOST)),
                    ));
                }
                RecordType::AAAA if first == "dual" => {
                    reply.add_answer(Record::from_rdata(
                        owner,
                        60,
                        RData::AAAA(AAAA(Ipv6Addr::LOCALHOST)),
                    ));
                }
                _ => {}
            }
        }
    }
    reply.to_vec().ok()
}
