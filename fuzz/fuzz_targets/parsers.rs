#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| ks_console_fuzz::parsers(data));
