//! What an installation puts beside the binary, generated from the same clap definitions as
//! `--help` ([`crate::cli`]): the shell completions (`maildoctor completions SHELL`, by
//! clap_complete) and the manual page (`maildoctor man`, by clap_mangen). `scripts/deb.sh`
//! packages what the built binary prints.

use clap::CommandFactory as _;
use clap_complete::Shell;
use clap_mangen::Man;

use crate::cli::{Cli, Command};

/// The text `command` prints, if it is one of these: it needs no profile and no network.
pub fn generated(command: &Command) -> Option<String> {
    match command {
        Command::Completions(args) => Some(completions(args.shell)),
        Command::Man => Some(man_page()),
        _ => None,
    }
}

/// The completion script for `shell`: subcommands, options and their fixed values.
pub fn completions(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "maildoctor", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// The manual page, maildoctor(1), in roff: clap_mangen's sections of the whole program, then
/// under COMMANDS each command (and `profiles`' own) with its synopsis and options, and the exit
/// codes. One page, so `man maildoctor` answers without pages for each command.
pub fn man_page() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut page = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);
    page.extend_from_slice(b".SH COMMANDS\n");
    for sub in visible_subcommands(&cmd) {
        command_entry(sub, &cmd, &mut page);
    }
    // The text after --help's options: the exit codes, under the heading man pages give them.
    let _ = man.render_extra_section(&mut page);
    String::from_utf8_lossy(&page).replacen(".SH EXTRA\n", ".SH \"EXIT STATUS\"\n", 1)
}

/// The subcommands a user types, without clap's own `help`.
fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}

/// One command under COMMANDS: a subsection named by its full command line (`maildoctor
/// profiles show`), its description, its synopsis and its own options (not the ones it takes
/// over from `parent`, described there, nor `--help`), then its own subcommands.
fn command_entry(cmd: &clap::Command, parent: &clap::Command, page: &mut Vec<u8>) {
    let inherited = |arg: &clap::Arg| {
        arg.get_id() == "help"
            || parent
                .get_arguments()
                .any(|up| up.get_id() == arg.get_id() && up.is_global_set())
    };
    let own = cmd
        .clone()
        .mut_args(|arg| if inherited(&arg) { arg.hide(true) } else { arg });
    let man = Man::new(own.clone());
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    page.extend_from_slice(format!(".SS \"{name}\"\n").as_bytes());
    let mut sections = Vec::new();
    let _ = man.render_description_section(&mut sections);
    let _ = man.render_synopsis_section(&mut sections);
    if own.get_arguments().any(|arg| !arg.is_hide_set()) {
        let _ = man.render_options_section(&mut sections);
    }
    // Inside a subsection, clap_mangen's section headings would end it: they go, and a
    // paragraph break keeps the parts apart.
    for line in String::from_utf8_lossy(&sections).lines() {
        if line.starts_with(".SH ") {
            page.extend_from_slice(b".PP\n");
        } else {
            page.extend_from_slice(line.as_bytes());
            page.push(b'\n');
        }
    }
    for sub in visible_subcommands(cmd) {
        command_entry(sub, cmd, page);
    }
}
