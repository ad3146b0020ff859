#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| maildoctor::fuzzing::client_config(data));
