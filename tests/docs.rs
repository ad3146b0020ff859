//! The README is the front door: it must document every finding a user can meet.

use maildoctor::finding::FindingId;

#[test]
fn the_readme_documents_every_finding_id() {
    let readme = include_str!("../README.md");
    let missing: Vec<&str> = FindingId::ALL
        .iter()
        .map(|id| id.as_str())
        .filter(|id| !readme.contains(&format!("| `{id}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "README's findings table lacks: {missing:?}"
    );
}

#[test]
fn the_ci_script_runs_the_readme_test_command() {
    let ci = include_str!("../.ci/run");
    let readme = include_str!("../README.md");
    let command = "tests/lab/start.sh && cargo test -- --include-ignored";
    assert!(
        readme.contains(&format!("```sh\n{command}\n```")),
        "README's test command changed"
    );
    assert!(
        ci.lines().any(|l| l.trim() == command),
        ".ci/run must run the README's test command"
    );
}

/// The README's first command and the sample below it: the sample must be what the program
/// prints for that command, line for line, up to the `...` that ends it.
#[test]
fn the_quick_start_sample_is_what_the_program_prints() {
    let readme = include_str!("../README.md");
    let command = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo run --release -- "))
        .expect("the quick start runs the program with cargo run");
    let sample_start = readme
        .find("```text\nmaildoctor ")
        .expect("a sample of the output follows");
    let sample = &readme[sample_start + "```text\n".len()..];
    let sample: Vec<&str> = sample
        .lines()
        .take_while(|l| l.trim() != "..." && *l != "```")
        .collect();
    let out = assert_cmd::Command::cargo_bin("maildoctor")
        .unwrap()
        .env("XDG_CONFIG_HOME", "/nonexistent-maildoctor-test")
        .env("LC_ALL", "C.UTF-8")
        .env("NO_COLOR", "1")
        .args(command.split_whitespace())
        .output()
        .unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let printed: Vec<&str> = printed.lines().take(sample.len()).collect();
    assert!(sample.len() > 10, "the sample shows a whole finding");
    assert_eq!(
        printed, sample,
        "README's quick-start sample differs from what `maildoctor {command}` prints"
    );
}

/// The number of providers the README names is the number the program ships.
#[test]
fn the_readme_counts_the_profiles_the_program_ships() {
    let readme = include_str!("../README.md");
    let shipped = maildoctor::profile::ProfileStore::load(&[])
        .unwrap()
        .iter()
        .count();
    let said: Vec<usize> = readme
        .split("real providers")
        .zip(readme.split("real providers").skip(1))
        .filter_map(|(before, _)| before.split_whitespace().last()?.parse().ok())
        .collect();
    assert!(!said.is_empty(), "the README says how many providers ship");
    assert!(
        said.iter().all(|n| *n == shipped),
        "README says {said:?} real providers; the program ships {shipped}"
    );
}

/// The README counts the finding ids the catalogue has.
#[test]
fn the_readme_counts_the_finding_ids() {
    let readme = include_str!("../README.md");
    let total = maildoctor::finding::FindingId::ALL.len();
    assert!(
        readme.contains(&format!("{total} finding ids")),
        "README should say \"{total} finding ids\""
    );
}

/// The README's Install section names the package scripts/deb.sh builds (cargo-deb's name:
/// the version, Debian revision 1) and the cargo command that keeps the lock file; CI builds
/// and checks that package.
#[test]
fn the_readme_installs_the_package_the_script_builds() {
    let readme = include_str!("../README.md");
    let install = &readme[readme.find("## Install\n").expect("an Install section")..];
    let install = &install[..install[1..]
        .find("\n## ")
        .map_or(install.len(), |end| end + 1)];
    let deb = format!(
        "sudo apt install ./target/debian/maildoctor_{}-1_",
        env!("CARGO_PKG_VERSION")
    );
    assert!(install.contains(&deb), "README should say `{deb}…`");
    assert!(install.contains("cargo install --locked --path ."));
    let ci = include_str!("../.ci/run");
    assert!(ci.lines().any(|l| l.trim() == "scripts/deb.sh --check"));
}
