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
