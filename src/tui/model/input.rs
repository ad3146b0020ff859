//! Keys in each mode: on the dashboard they give the key table's commands, in a box they
//! edit it; Ctrl-C quits from anywhere.

use crate::account::{Endpoint, Protocol};

use super::{Action, App, Overlay, Suggestion};
use crate::tui::forms::{EditForm, Outcome, PasswordForm, Picker, SaveForm, TextInput};
use crate::tui::keys::{Command, Key, command_for};

impl App {
    pub(super) fn key(&mut self, key: Key) -> Action {
        if key == Key::Ctrl('c') {
            return Action::Quit;
        }
        match &mut self.overlay {
            Overlay::None => self.dashboard_key(key),
            Overlay::Help => {
                self.overlay = Overlay::None;
                if key == Key::Char('q') {
                    Action::Quit
                } else {
                    Action::None
                }
            }
            Overlay::Transcript { scroll } => {
                match key {
                    Key::Up | Key::Char('k') => *scroll = scroll.saturating_sub(1),
                    Key::Down | Key::Char('j') => *scroll = scroll.saturating_add(1),
                    Key::Char('q') => return Action::Quit,
                    Key::Esc | Key::Char('t') | Key::Enter => self.overlay = Overlay::None,
                    _ => {}
                }
                Action::None
            }
            Overlay::Discovery { selected } => {
                let selected = *selected;
                self.discovery_key(key, selected)
            }
            Overlay::Clients { selected } => {
                let selected = *selected;
                self.clients_key(key, selected)
            }
            Overlay::Edit(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(endpoint) => {
                    let protocol = form.protocol;
                    self.overlay = Overlay::None;
                    self.use_endpoint(protocol, endpoint)
                }
            },
            Overlay::Picker(picker) => match picker.key(key, &self.profiles) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(id) => {
                    self.overlay = Overlay::None;
                    Action::PickProfile(id)
                }
            },
            Overlay::Password(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit(secret) => {
                    self.overlay = Overlay::None;
                    self.login = true;
                    Action::Login(secret)
                }
            },
            Overlay::Save(form) => match form.key(key) {
                Outcome::Continue => Action::None,
                Outcome::Cancel => {
                    self.overlay = Overlay::None;
                    Action::None
                }
                Outcome::Submit((path, overwrite)) => {
                    self.overlay = Overlay::None;
                    Action::Save { path, overwrite }
                }
            },
        }
    }

    /// The `d` view: ↑↓ choose a server discovery found, Enter (or a) probes it in its pane.
    fn discovery_key(&mut self, key: Key, selected: usize) -> Action {
        let count = self.discovery.as_ref().map_or(0, |d| d.servers.len());
        match key {
            Key::Up | Key::Char('k') => {
                self.overlay = Overlay::Discovery {
                    selected: selected.saturating_sub(1),
                };
            }
            Key::Down | Key::Char('j') => {
                self.overlay = Overlay::Discovery {
                    selected: (selected + 1).min(count.saturating_sub(1)),
                };
            }
            Key::Char('q') => return Action::Quit,
            Key::Enter | Key::Char('a') => {
                let chosen = self
                    .discovery
                    .as_ref()
                    .and_then(|d| d.servers.get(selected))
                    .map(|s| (s.protocol, s.endpoint.clone()));
                self.overlay = Overlay::None;
                if let Some((protocol, endpoint)) = chosen {
                    self.status = Some(format!(
                        "Probing {} for {}, as discovery found it.",
                        endpoint.describe(),
                        protocol.label()
                    ));
                    return self.use_endpoint(protocol, endpoint);
                }
            }
            Key::Esc | Key::Char('d') => self.overlay = Overlay::None,
            _ => {}
        }
        Action::None
    }

    /// The clients' accounts found on the machine: ↑↓ choose, Enter checks it.
    fn clients_key(&mut self, key: Key, selected: usize) -> Action {
        match key {
            Key::Up | Key::Char('k') => {
                self.overlay = Overlay::Clients {
                    selected: selected.saturating_sub(1),
                };
            }
            Key::Down | Key::Char('j') => {
                self.overlay = Overlay::Clients {
                    selected: (selected + 1).min(self.clients.len().saturating_sub(1)),
                };
            }
            Key::Char('q') => return Action::Quit,
            Key::Enter => {
                let chosen = self.clients.get(selected).map(|c| c.import.clone());
                self.overlay = Overlay::None;
                if let Some(spec) = chosen {
                    self.status = Some(format!("Reading {spec}…"));
                    return Action::Import(spec);
                }
            }
            Key::Esc => self.overlay = Overlay::None,
            _ => {}
        }
        Action::None
    }

    fn dashboard_key(&mut self, key: Key) -> Action {
        let Some(command) = command_for(key) else {
            return Action::None;
        };
        match command {
            Command::Quit => return Action::Quit,
            Command::NextPane => {
                self.focus = cycle(self.focus, 1);
                self.focus_chosen = true;
            }
            Command::PreviousPane => {
                self.focus = cycle(self.focus, 2);
                self.focus_chosen = true;
            }
            Command::PreviousFinding => self.select(self.selected.saturating_sub(1)),
            Command::NextFinding => {
                self.select((self.selected + 1).min(self.findings.len().saturating_sub(1)));
            }
            Command::Details => self.details = !self.details,
            Command::DetailsUp => {
                self.details = true;
                self.details_scroll = self
                    .details_scroll
                    .min(self.details_overflow.get())
                    .saturating_sub(DETAILS_PAGE);
            }
            Command::DetailsDown => {
                self.details = true;
                self.details_scroll = self
                    .details_scroll
                    .saturating_add(DETAILS_PAGE)
                    .min(self.details_overflow.get());
            }
            Command::Transcript => self.overlay = Overlay::Transcript { scroll: 0 },
            Command::Help => self.overlay = Overlay::Help,
            Command::Discovery if self.discovery.is_some() => {
                // Opens on the server the focused pane uses, if discovery found it.
                let selected = self
                    .discovery
                    .iter()
                    .flat_map(|d| d.servers.iter())
                    .position(|s| {
                        s.protocol == self.focus
                            && self.pane(self.focus).endpoint.as_ref() == Some(&s.endpoint)
                    })
                    .unwrap_or(0);
                self.overlay = Overlay::Discovery { selected };
            }
            Command::Discovery if self.discovering.is_some() => {
                self.status =
                    Some("Discovery is still asking; d shows what it found once it has.".into());
            }
            Command::Discovery => {
                self.status = Some(
                    "Nothing was discovered: the servers came from the settings or a profile."
                        .into(),
                );
            }
            Command::Rerun => return Action::Probe(self.start_all()),
            Command::Apply => {
                let Some(Suggestion {
                    protocol, endpoint, ..
                }) = self.suggestion()
                else {
                    self.status = Some("The selected finding suggests no other endpoint.".into());
                    return Action::None;
                };
                self.selected = 0;
                self.pinned = false;
                return self.use_endpoint(protocol, endpoint);
            }
            Command::Edit => {
                let endpoint = self.pane(self.focus).endpoint.as_ref();
                self.overlay = Overlay::Edit(EditForm::new(self.focus, endpoint));
            }
            Command::Fill => {
                let protocol = self.focus;
                return match self.profile_endpoints.get(&protocol) {
                    Some(endpoint) if self.pane(protocol).endpoint.is_none() => {
                        self.use_endpoint(protocol, endpoint.clone())
                    }
                    Some(_) => Action::None,
                    None => {
                        self.status = Some(format!(
                            "No profile gives {} server here: press e to type one, or p to pick a profile.",
                            protocol.with_article()
                        ));
                        Action::None
                    }
                };
            }
            Command::Profile => self.overlay = Overlay::Picker(Picker::default()),
            Command::Login => self.overlay = Overlay::Password(PasswordForm::default()),
            Command::Save => {
                self.overlay = Overlay::Save(SaveForm {
                    path: TextInput::new(self.default_save_path()),
                    overwrite: false,
                });
            }
            Command::Export => return Action::Export,
        }
        Action::None
    }

    /// Selects a finding: its pane gets the focus (so `e` edits what the finding is about)
    /// and its details start at the top.
    fn select(&mut self, index: usize) {
        if index != self.selected {
            self.details_scroll = 0;
        }
        self.selected = index;
        self.pinned = true;
        if let Some(protocol) = self.selected_finding().and_then(|f| f.protocol) {
            self.focus = protocol;
            self.focus_chosen = true;
        }
    }

    /// Puts an endpoint into a pane and probes just that pane again.
    fn use_endpoint(&mut self, protocol: Protocol, endpoint: Endpoint) -> Action {
        if let Some(pane) = self.panes.get_mut(&protocol) {
            pane.endpoint = Some(endpoint);
        }
        self.focus = protocol;
        self.focus_chosen = true;
        Action::Probe(self.start(&[protocol]))
    }

    /// The file to save exists: ask again, and overwrite on the next Enter.
    pub fn confirm_overwrite(&mut self, path: &std::path::Path) {
        self.overlay = Overlay::Save(SaveForm {
            path: TextInput::new(path.display().to_string()),
            overwrite: true,
        });
    }

    fn default_save_path(&self) -> String {
        let stem = self.address.as_deref().map_or_else(
            || "account".into(),
            |a| a.replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
        );
        format!("{stem}.maildoctor.yaml")
    }
}

/// Lines a PgUp or PgDn moves the details by.
const DETAILS_PAGE: u16 = 3;

fn cycle(protocol: Protocol, step: usize) -> Protocol {
    let i = Protocol::ALL
        .iter()
        .position(|p| *p == protocol)
        .unwrap_or(0);
    Protocol::ALL[(i + step) % Protocol::ALL.len()]
}
