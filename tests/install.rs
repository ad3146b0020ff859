//! What an installation puts beside the binary, as the binary prints it: the shell completions
//! and the manual page (scripts/deb.sh packages exactly these).

use std::io::Write as _;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;

fn maildoctor() -> Command {
    let mut cmd = Command::cargo_bin("maildoctor").unwrap();
    cmd.env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .env("LC_ALL", "C.UTF-8");
    cmd
}

fn printed(args: &[&str]) -> String {
    let out = maildoctor().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "maildoctor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const COMMANDS: [&str; 7] = [
    "lint",
    "check",
    "discover",
    "profiles",
    "clients",
    "completions",
    "man",
];

/// What bash offers for the words typed so far (the last one being completed), with the
/// completion script maildoctor prints loaded as bash-completion would load it.
fn bash_offers(words: &[&str]) -> Vec<String> {
    let script = printed(&["completions", "bash"]);
    let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "{script}\nCOMP_WORDS=({words})\nCOMP_CWORD={last}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\n\
         _maildoctor maildoctor \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = words.join(" "),
        last = words.len() - 1,
    );
    let out = Process::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_the_commands_and_their_options() {
    let script = printed(&["completions", "bash"]);
    for command in COMMANDS {
        assert!(script.contains(command), "{command} missing");
    }
    assert!(script.contains("--import"));
    assert_eq!(bash_offers(&["maildoctor", "che"]), ["check"]);
    assert_eq!(
        bash_offers(&["maildoctor", "lint", "--imp"]),
        ["--import", "--import-format"]
    );
    assert_eq!(
        bash_offers(&["maildoctor", "completions", "f"]),
        ["fish"],
        "the shells are offered as values"
    );
}

#[test]
fn every_shell_gets_a_completion_script_naming_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = printed(&["completions", shell]);
        assert!(
            script.contains("maildoctor") && script.contains("discover"),
            "{shell}: {script}"
        );
    }
    let out = maildoctor().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn the_man_page_is_roff_with_every_command_and_the_exit_codes() {
    let page = printed(&["man"]);
    assert!(page.contains("\n.TH maildoctor 1 "), "{page}");
    for heading in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS"] {
        assert!(page.contains(&format!("\n{heading}\n")), "{heading}");
    }
    for command in COMMANDS {
        assert!(
            page.contains(&format!("\n.SS \"maildoctor {command}\"\n")),
            "{command}"
        );
    }
    assert!(page.contains(".SS \"maildoctor profiles show\""));
    // Each option once per command that has it: the global ones only under OPTIONS.
    assert_eq!(page.matches("\\-\\-profiles\\-dir\\fR \\fI").count(), 1);
    assert!(page.contains("\\-\\-send\\-test"));
    let exit_status = page.find("\n.SH \"EXIT STATUS\"\n").expect("EXIT STATUS");
    assert!(page[exit_status..].contains("\nExit codes: 0 no warnings"));
    assert!(!page.contains(".SH EXTRA"));
}

/// `man -l` (man-db, with groff's warnings on) renders the page without a complaint. Skipped
/// where man is not installed; CI installs man-db.
#[test]
fn man_renders_the_page_without_warnings() {
    let page = printed(&["man"]);
    let Ok(mut man) = Process::new("man")
        .args(["--warnings", "-l", "-"])
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("man is not installed: the page is not rendered");
        return;
    };
    man.stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = man.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l failed: {warnings}");
    assert_eq!(warnings, "", "groff warns");
    assert!(shown.contains("maildoctor - Find out why a mail account cannot send or receive"));
    assert!(shown.contains("EXIT STATUS"), "{shown}");
}

#[test]
fn completions_and_the_man_page_need_no_profiles() {
    for args in [&["man"][..], &["completions", "zsh"]] {
        maildoctor()
            .args(["--profiles-dir", "/nonexistent/dir"])
            .args(args)
            .assert()
            .code(0);
    }
}
