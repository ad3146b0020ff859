//! Embeds every `profiles/*.yaml` in the binary, so maildoctor works with no files around it.
//!
//! The generated list names each file under the crate's own `CARGO_MANIFEST_DIR`, read when the
//! crate compiles, not where this script ran: checkouts that share one target directory (cargo
//! gives a path crate the same hashes wherever it lies) reuse one run of this script, and each
//! must embed its own files, never another checkout's (which may be gone).

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo::rerun-if-changed=profiles");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("profiles");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("profiles/ directory exists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    names.sort();
    let mut code = String::from(
        "/// Every embedded profile: (file name, YAML text).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/profiles/\", {name:?}))),"
        );
    }
    code.push_str("];\n");
    let out =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_profiles.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
