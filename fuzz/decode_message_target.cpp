// libFuzzer target for one message decoder; built once per message with TFQKD_FUZZ_MESSAGE set to
// the message's struct (fuzz/meson.build). Checks, beyond "no crash" under ASan and UBSan:
//  - an accepted input re-encodes to exactly the same bytes (canonical encoding, WF-ENC-6);
//  - a rejected input gets an error that names this message and a defined error code (WF-ENC-8).
#include <cstdint>
#include <cstdlib>

#include "protocol/wire/messages.hpp"

#ifndef TFQKD_FUZZ_MESSAGE
#error "TFQKD_FUZZ_MESSAGE must name the message struct to fuzz"
#endif

using Fuzzed = tfqkd::wire::TFQKD_FUZZ_MESSAGE;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const tfqkd::ByteSpan input(data, size);
    tfqkd::Result<Fuzzed> decoded = tfqkd::wire::decode_payload<Fuzzed>(input);
    if (decoded) {
        tfqkd::Result<tfqkd::Bytes> again = tfqkd::wire::encode_payload(*decoded);
        if (!again || again->size() != size || !std::equal(again->begin(), again->end(), data)) std::abort();
    } else {
        const tfqkd::Error& e = decoded.error();
        if (e.message != Fuzzed::kName || tfqkd::errc_name(e.code) == "unknown_error") std::abort();
        if (e.offset > size) std::abort();
    }
    return 0;
}
