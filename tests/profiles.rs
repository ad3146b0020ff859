//! Invariants every built-in profile must keep, and the facts the product started from.

use std::collections::BTreeMap;

use jiff::civil::Date;
use maildoctor::account::{AccountLayer, Protocol};
use maildoctor::finding::Severity;
use maildoctor::lint::lint_resolved;
use maildoctor::profile::{AuthOffer, NoteEffect, Profile, ProfileStore};
use maildoctor::resolve::resolve;

fn store() -> ProfileStore {
    ProfileStore::embedded().expect("every built-in profile parses")
}

fn each_profile(check: impl Fn(&Profile) -> Vec<String>) {
    let problems: Vec<String> = store()
        .iter()
        .flat_map(|p| check(p).into_iter().map(move |e| format!("{}: {e}", p.id)))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn there_are_at_least_thirty_providers() {
    assert!(store().len() >= 30, "only {} profiles", store().len());
}

#[test]
fn ids_are_kebab_case_and_domains_unique_across_profiles() {
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    let mut problems = Vec::new();
    for profile in store().iter() {
        if !profile
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            problems.push(format!("id \"{}\" is not kebab-case", profile.id));
        }
        for domain in &profile.domains {
            if let Some(other) = owner.insert(domain.clone(), profile.id.clone()) {
                problems.push(format!(
                    "domain {domain} is in both {other} and {}",
                    profile.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_profile_offers_something_and_can_be_found() {
    each_profile(|p| {
        let mut e = Vec::new();
        if p.endpoints.is_empty() {
            e.push("no endpoints".to_owned());
        }
        if p.domains.is_empty() && p.mx.is_empty() {
            e.push("neither domains nor MX patterns: it can only be chosen by id".to_owned());
        }
        if p.auth.is_empty() {
            e.push("no auth methods".to_owned());
        }
        if !p.docs.starts_with("https://") {
            e.push(format!("docs is not an https URL: {}", p.docs));
        }
        e
    });
}

#[test]
fn port_security_pairs_are_standard_unless_listed_as_exceptions() {
    each_profile(|p| {
        let mut e = Vec::new();
        for (protocol, endpoints) in &p.endpoints {
            for endpoint in endpoints {
                let standard = protocol.standard_security(endpoint.port) == Some(endpoint.security);
                if !standard && !p.allows_exception(*protocol, endpoint.port, endpoint.security) {
                    e.push(format!(
                        "{protocol} {endpoint} is not a standard pair and not in exceptions"
                    ));
                }
                if endpoint.port == 0 {
                    e.push(format!("{protocol} {endpoint} has port 0"));
                }
            }
        }
        for x in &p.exceptions {
            if !p
                .endpoints(x.protocol)
                .iter()
                .any(|ep| ep.port == x.port && ep.security == x.security)
            {
                e.push(format!("exception {x:?} matches no endpoint"));
            }
        }
        e
    });
}

#[test]
fn aliases_and_retired_names_point_at_documented_hosts() {
    each_profile(|p| {
        let documented = |h: &str| {
            p.endpoints
                .values()
                .flatten()
                .any(|e| e.host.name() == Some(h))
        };
        let mut e = Vec::new();
        for a in &p.aliases {
            if !documented(&a.of) {
                e.push(format!(
                    "alias {} points at {}, which no endpoint uses",
                    a.host, a.of
                ));
            }
            if documented(&a.host) {
                e.push(format!("alias {} is also a documented endpoint", a.host));
            }
        }
        for l in &p.legacy_hosts {
            if !documented(&l.replacement) {
                e.push(format!(
                    "retired {} is replaced by {}, which no endpoint uses",
                    l.host, l.replacement
                ));
            }
        }
        e
    });
}

#[test]
fn notes_with_an_effect_have_a_date_and_agree_with_the_auth_list() {
    let today = Date::constant(2026, 11, 23);
    each_profile(|p| {
        let mut e = Vec::new();
        for note in &p.notes {
            if note.effect != NoteEffect::Info && note.date.is_none() {
                e.push(format!("note \"{}\" has an effect but no date", note.text));
            }
            if note.text.trim().is_empty() {
                e.push("empty note".to_owned());
            }
            let all = note.protocols.is_empty()
                || Protocol::ALL.iter().all(|p| note.protocols.contains(p));
            if note.effect == NoteEffect::PasswordDisabled
                && note.date.is_some_and(|d| d <= today)
                && all
                && p.auth.contains(&AuthOffer::Password)
            {
                e.push(
                    "passwords are disabled for every protocol, yet auth lists password".to_owned(),
                );
            }
        }
        e
    });
}

#[test]
fn an_address_of_each_provider_alone_lints_clean() {
    // The recommended settings of every profile must pass our own rules.
    let store = store();
    let today = Date::constant(2026, 11, 23);
    let mut problems = Vec::new();
    for profile in store.iter() {
        let layer = match profile.domains.first() {
            Some(domain) => AccountLayer {
                address: Some(format!("user@{domain}")),
                ..Default::default()
            },
            None => AccountLayer {
                address: Some("user@custom.example".into()),
                profile: Some(profile.id.clone()),
                ..Default::default()
            },
        };
        let resolved = resolve(layer, &store).unwrap();
        assert_eq!(
            resolved.profile().map(|p| p.id.as_str()),
            Some(profile.id.as_str())
        );
        let bad: Vec<String> = lint_resolved(&resolved, &store, today)
            .into_iter()
            .filter(|f| f.severity > Severity::Info)
            .map(|f| format!("{} {}", f.id, f.title))
            .collect();
        if !bad.is_empty() {
            problems.push(format!("{}: {bad:?}", profile.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_articles_microsoft_facts_are_reachable() {
    let store = store();
    let m365 = store.get("microsoft365").unwrap();
    assert_eq!(
        m365.endpoints(Protocol::Smtp)[0].to_string(),
        "smtp.office365.com:587/starttls"
    );
    assert_eq!(
        m365.endpoints(Protocol::Imap)[0].to_string(),
        "outlook.office365.com:993/tls"
    );
    assert_eq!(
        m365.endpoints(Protocol::Pop3)[0].to_string(),
        "outlook.office365.com:995/tls"
    );
    let outlook = store.get("outlook").unwrap();
    assert_eq!(
        outlook.endpoints(Protocol::Smtp)[0].to_string(),
        "smtp-mail.outlook.com:587/starttls"
    );
    assert_eq!(
        outlook.alias_target("smtp.office365.com").unwrap().of,
        "smtp-mail.outlook.com"
    );
    for profile in [m365, outlook] {
        assert_eq!(
            profile.username_form(Protocol::Smtp),
            maildoctor::profile::UsernameForm::Address
        );
        assert!(
            profile.alias_target("imap.office365.com").is_some(),
            "{}",
            profile.id
        );
        assert!(
            profile.alias_target("pop3.office365.com").is_some(),
            "{}",
            profile.id
        );
        assert!(profile.notes.iter().any(|n| n.text.contains("465")) || profile.id == "outlook");
    }
    let outlook_cutoff = outlook
        .notes
        .iter()
        .find(|n| n.effect == NoteEffect::PasswordDisabled)
        .unwrap();
    assert_eq!(outlook_cutoff.date, Some(Date::constant(2024, 9, 16)));
    let smtp_auth = m365
        .notes
        .iter()
        .find(|n| n.effect == NoteEffect::PasswordOffByDefault)
        .unwrap();
    assert_eq!(smtp_auth.date, Some(Date::constant(2026, 12, 31)));
}
