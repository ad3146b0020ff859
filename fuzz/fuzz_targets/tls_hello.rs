#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| maildoctor::fuzzing::tls_hello(data));
