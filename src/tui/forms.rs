//! The dashboard's small forms: the endpoint editor, the profile picker, the password prompt and
//! the file-name prompt. Pure state machines fed with keys, so each is tested without a terminal.

use std::fmt;

use crate::account::{Endpoint, Host, Protocol, Security};
use crate::secret::Secret;

use super::keys::Key;

/// Longer input is refused: a host name is at most 253 bytes, a path or password rarely more.
const MAX_INPUT: usize = 1024;

/// A one-line text input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextInput {
    pub text: String,
}

impl TextInput {
    pub fn new(text: impl Into<String>) -> TextInput {
        TextInput { text: text.into() }
    }

    /// Types or erases; returns whether the key was text editing.
    pub fn key(&mut self, key: Key) -> bool {
        match key {
            Key::Char(c) if !c.is_control() => {
                if self.text.len() < MAX_INPUT {
                    self.text.push(c);
                }
                true
            }
            Key::Backspace => {
                self.text.pop();
                true
            }
            Key::Ctrl('u') => {
                self.text.clear();
                true
            }
            _ => false,
        }
    }
}

/// What a form wants after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    Continue,
    Cancel,
    Submit(T),
}

/// The field of the endpoint editor that has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Host,
    Port,
    Security,
}

/// Edits one pane's endpoint in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditForm {
    pub protocol: Protocol,
    pub host: TextInput,
    pub port: TextInput,
    pub security: Security,
    pub field: Field,
    /// Why the last Enter was refused.
    pub error: Option<String>,
}

impl EditForm {
    /// Starts from the pane's endpoint, or from the protocol's usual port and mode.
    pub fn new(protocol: Protocol, endpoint: Option<&Endpoint>) -> EditForm {
        let (host, port, security) = if let Some(e) = endpoint {
            (e.host.as_string(), e.port, e.security)
        } else {
            let (port, security) = protocol.standard_pairs()[0];
            (String::new(), port, security)
        };
        EditForm {
            protocol,
            host: TextInput::new(host),
            port: TextInput::new(port.to_string()),
            security,
            field: Field::Host,
            error: None,
        }
    }

    pub fn key(&mut self, key: Key) -> Outcome<Endpoint> {
        self.error = None;
        match key {
            Key::Esc => return Outcome::Cancel,
            Key::Enter => {
                return match self.endpoint() {
                    Ok(endpoint) => Outcome::Submit(endpoint),
                    Err(message) => {
                        self.error = Some(message);
                        Outcome::Continue
                    }
                };
            }
            Key::Tab | Key::Down => self.field = next_field(self.field, 1),
            Key::BackTab | Key::Up => self.field = next_field(self.field, 2),
            _ => match self.field {
                Field::Host => {
                    self.host.key(key);
                }
                Field::Port => match key {
                    Key::Char(c) if !c.is_ascii_digit() => {}
                    _ => {
                        if self.port.key(key) {
                            self.follow_port();
                        }
                    }
                },
                Field::Security => match key {
                    Key::Char(' ' | 's') | Key::Right => {
                        self.security =
                            cycle_security(self.security, 1, self.port.text.parse().ok());
                    }
                    Key::Left => {
                        self.security =
                            cycle_security(self.security, 2, self.port.text.parse().ok());
                    }
                    _ => {}
                },
            },
        }
        Outcome::Continue
    }

    /// A well-known port brings its usual mode, as mail clients do; the security field can
    /// still be cycled afterwards to try a deliberate mismatch.
    fn follow_port(&mut self) {
        let Ok(port) = self.port.text.parse::<u16>() else {
            return;
        };
        for protocol in Protocol::ALL {
            if let Some((_, security)) = protocol
                .standard_pairs()
                .into_iter()
                .find(|(p, _)| *p == port)
            {
                self.security = security;
                return;
            }
        }
    }

    /// The endpoint the form describes, or why it is not one.
    pub fn endpoint(&self) -> Result<Endpoint, String> {
        let host = self.host.text.trim();
        if host.is_empty() {
            return Err("type the server's host name".into());
        }
        let host = Host::parse(host).map_err(|e| e.to_string())?;
        let port = match self.port.text.parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err("the port is a number from 1 to 65535".into()),
        };
        Ok(Endpoint {
            host,
            port,
            security: self.security,
        })
    }
}

fn next_field(field: Field, step: usize) -> Field {
    const ORDER: [Field; 3] = [Field::Host, Field::Port, Field::Security];
    let i = ORDER.iter().position(|f| *f == field).unwrap_or(0);
    ORDER[(i + step) % ORDER.len()]
}

/// The next encryption mode for Space: the port's usual one first (587 STARTTLS, 465
/// SSL/TLS), then the other encrypted one, then none — so one press from the usual mode
/// tries the likeliest other, and none comes last.
pub fn cycle_security(security: Security, step: usize, port: Option<u16>) -> Security {
    let usual = port.and_then(|port| {
        Protocol::ALL
            .into_iter()
            .find_map(|p| p.standard_pairs().into_iter().find(|(n, _)| *n == port))
            .map(|(_, s)| s)
    });
    let order = match usual {
        Some(Security::Starttls | Security::Plain) => {
            [Security::Starttls, Security::Tls, Security::Plain]
        }
        _ => [Security::Tls, Security::Starttls, Security::Plain],
    };
    let i = order.iter().position(|s| *s == security).unwrap_or(0);
    order[(i + step) % order.len()]
}

/// Where to save the account file. An existing file is overwritten only after a second Enter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveForm {
    pub path: TextInput,
    /// The file exists and the user was told: the next Enter overwrites it.
    pub overwrite: bool,
}

impl SaveForm {
    pub fn key(&mut self, key: Key) -> Outcome<(std::path::PathBuf, bool)> {
        match key {
            Key::Esc => Outcome::Cancel,
            Key::Enter if !self.path.text.trim().is_empty() => Outcome::Submit((
                std::path::PathBuf::from(self.path.text.trim()),
                self.overwrite,
            )),
            key => {
                if self.path.key(key) {
                    self.overwrite = false;
                }
                Outcome::Continue
            }
        }
    }
}

/// A profile as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileItem {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
}

impl From<&crate::profile::Profile> for ProfileItem {
    fn from(profile: &crate::profile::Profile) -> ProfileItem {
        ProfileItem {
            id: profile.id.clone(),
            name: profile.name.clone(),
            domains: profile.domains.clone(),
        }
    }
}

impl ProfileItem {
    fn matches(&self, filter: &str) -> bool {
        let filter = filter.trim().to_lowercase();
        filter.is_empty()
            || self.id.to_lowercase().contains(&filter)
            || self.name.to_lowercase().contains(&filter)
            || self.domains.iter().any(|d| d.contains(&filter))
    }
}

/// Picks a provider profile, filtering as you type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub filter: TextInput,
    pub selected: usize,
}

impl Picker {
    /// The profiles the filter lets through, in list order.
    pub fn visible<'a>(&self, items: &'a [ProfileItem]) -> Vec<&'a ProfileItem> {
        items
            .iter()
            .filter(|i| i.matches(&self.filter.text))
            .collect()
    }

    /// Returns the chosen profile's id on Enter.
    pub fn key(&mut self, key: Key, items: &[ProfileItem]) -> Outcome<String> {
        let count = self.visible(items).len();
        match key {
            Key::Esc => return Outcome::Cancel,
            Key::Up => self.selected = self.selected.saturating_sub(1),
            Key::Down => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            Key::Enter => {
                return match self.visible(items).get(self.selected) {
                    Some(item) => Outcome::Submit(item.id.clone()),
                    None => Outcome::Continue,
                };
            }
            key => {
                if self.filter.key(key) {
                    self.selected = 0;
                }
            }
        }
        Outcome::Continue
    }
}

/// The password prompt: nothing typed is ever shown, and the text leaves only as a [`Secret`].
/// The buffer is allocated once at full size, so typing never leaves copies behind in freed
/// memory, and it is wiped when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordForm {
    typed: zeroize::Zeroizing<String>,
}

impl Default for PasswordForm {
    fn default() -> PasswordForm {
        PasswordForm {
            typed: zeroize::Zeroizing::new(String::with_capacity(MAX_INPUT + 4)),
        }
    }
}

impl fmt::Debug for PasswordForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordForm(<redacted>)")
    }
}

impl PasswordForm {
    pub fn key(&mut self, key: Key) -> Outcome<Secret> {
        match key {
            Key::Esc => Outcome::Cancel,
            Key::Enter if !self.typed.is_empty() => {
                Outcome::Submit(Secret::new(std::mem::take(&mut *self.typed)))
            }
            Key::Char(c) if !c.is_control() && self.typed.len() + c.len_utf8() <= MAX_INPUT => {
                self.typed.push(c);
                Outcome::Continue
            }
            Key::Backspace => {
                self.typed.pop();
                Outcome::Continue
            }
            _ => Outcome::Continue,
        }
    }

    /// Whether anything has been typed (the view says so, without saying how much).
    pub fn is_empty(&self) -> bool {
        self.typed.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: &mut EditForm, text: &str) {
        for c in text.chars() {
            form.key(Key::Char(c));
        }
    }

    #[test]
    fn the_editor_changes_host_port_and_security() {
        let start = Endpoint::parse("smtp.example.org:465/starttls", Protocol::Smtp).unwrap();
        let mut form = EditForm::new(Protocol::Smtp, Some(&start));
        for _ in 0.."example.org".len() {
            form.key(Key::Backspace);
        }
        typed(&mut form, "example.net");
        form.key(Key::Tab);
        form.key(Key::Backspace);
        form.key(Key::Backspace);
        form.key(Key::Backspace);
        typed(&mut form, "5x87");
        assert_eq!(form.security, Security::Starttls, "587 brings STARTTLS");
        form.key(Key::Ctrl('u'));
        typed(&mut form, "465");
        assert_eq!(form.security, Security::Tls, "465 brings SSL/TLS");
        form.key(Key::Tab);
        form.key(Key::Char(' '));
        let Outcome::Submit(endpoint) = form.key(Key::Enter) else {
            panic!("a valid endpoint is submitted: {form:?}")
        };
        assert_eq!(endpoint.to_string(), "smtp.example.net:465/starttls");
    }

    #[test]
    fn space_tries_the_ports_usual_mode_first_and_none_last() {
        let cycle = |s, port| cycle_security(s, 1, port);
        assert_eq!(cycle(Security::Starttls, Some(587)), Security::Tls);
        assert_eq!(cycle(Security::Tls, Some(587)), Security::Plain);
        assert_eq!(cycle(Security::Plain, Some(587)), Security::Starttls);
        assert_eq!(cycle(Security::Tls, Some(465)), Security::Starttls);
        assert_eq!(cycle(Security::Starttls, Some(993)), Security::Plain);
        assert_eq!(cycle(Security::Plain, Some(2525)), Security::Tls);
        assert_eq!(
            cycle_security(Security::Tls, 2, Some(587)),
            Security::Starttls,
            "Left goes back"
        );
    }

    #[test]
    fn the_editor_refuses_bad_input_with_a_reason() {
        let mut form = EditForm::new(Protocol::Imap, None);
        assert_eq!(form.port.text, "993");
        assert_eq!(form.key(Key::Enter), Outcome::Continue);
        assert!(form.error.as_deref().unwrap().contains("host name"));
        typed(&mut form, "bad host!");
        form.key(Key::Enter);
        assert!(form.error.is_some(), "an invalid host name is refused");
        let mut form = EditForm::new(Protocol::Imap, None);
        typed(&mut form, "imap.example.org");
        form.key(Key::Tab);
        form.key(Key::Ctrl('u'));
        typed(&mut form, "99999");
        assert_eq!(form.key(Key::Enter), Outcome::Continue);
        assert!(form.error.as_deref().unwrap().contains("65535"));
        assert_eq!(form.key(Key::Esc), Outcome::Cancel);
    }

    #[test]
    fn the_picker_filters_as_you_type() {
        let items = vec![
            ProfileItem {
                id: "gmail".into(),
                name: "Gmail".into(),
                domains: vec!["gmail.com".into()],
            },
            ProfileItem {
                id: "outlook".into(),
                name: "Outlook.com".into(),
                domains: vec!["hotmail.com".into()],
            },
        ];
        let mut picker = Picker::default();
        assert_eq!(picker.visible(&items).len(), 2);
        picker.key(Key::Char('H'), &items);
        picker.key(Key::Char('o'), &items);
        picker.key(Key::Char('t'), &items);
        assert_eq!(picker.visible(&items).len(), 1, "matched by domain");
        assert_eq!(
            picker.key(Key::Enter, &items),
            Outcome::Submit("outlook".into())
        );
        for c in "zzz".chars() {
            picker.key(Key::Char(c), &items);
        }
        assert_eq!(picker.key(Key::Enter, &items), Outcome::Continue);
    }

    #[test]
    fn the_password_form_never_shows_what_was_typed() {
        let mut form = PasswordForm::default();
        assert_eq!(form.key(Key::Enter), Outcome::Continue, "empty is not sent");
        for c in "hunter2".chars() {
            form.key(Key::Char(c));
        }
        assert!(!format!("{form:?}").contains("hunter2"));
        let Outcome::Submit(secret) = form.key(Key::Enter) else {
            panic!("typed text is submitted")
        };
        assert_eq!(secret.expose(), "hunter2");
        assert!(form.is_empty(), "the form keeps no copy");
    }
}
