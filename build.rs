//! Embeds every `profiles/*.yaml` in the binary, so maildoctor works with no files around it.

use std::fmt::Write as _;
use std::{env, fs, path::Path};

fn main() {
    println!("cargo::rerun-if-changed=profiles");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
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
        let path = dir.join(name);
        let _ = writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let out =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded_profiles.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
