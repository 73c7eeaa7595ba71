#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| azconn_fuzz_harness::appconfig_response(data));
