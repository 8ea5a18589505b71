// Differential fuzzing through the conformance C ABI (include/tfqkd/conformance_abi.h): the same
// input goes to our decoder and to a vendor's, and their verdicts and re-encodings must agree.
//
// Input: the first byte selects the decoder, the rest is what it decodes:
//   0x00          a whole frame: tfqkd_decode_frame
//   anything else a payload of that message type byte: tfqkd_decode_message (an undefined type byte
//                 must be rejected by both)
// Checks, after "no crash" under ASan and UBSan (ours and, if built with them, the vendor's):
//   - both accept or both reject;
//   - when both accept, the re-encodings are byte for byte equal (and, WF-ENC-6, equal to the input);
//   - with TFQKD_DIFFERENTIAL_STRICT=1, rejections also agree on the error code (WF-ENC-8 allows a
//     decoder to report another violation, so this is off by default).
// Disagreement prints both outcomes and aborts, so the fuzzer keeps the input.
//
// The vendor library is TFQKD_DIFFERENTIAL_LIBRARY; without it, our own reference library, loaded
// through the same dlopen path as a vendor's, so that CI exercises the ABI end to end: the
// libtfqkd_conformance_ref.so next to the executable (where fuzz/oss_fuzz_build.sh puts it), else the
// one in the build tree. Calls are in
// process (a fork per input would cost more than the decoding, and a crash is what the fuzzer
// should see).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "conformance/library.hpp"
#include "reference.hpp"

#ifndef TFQKD_BUILD_REFERENCE_LIBRARY
#error "TFQKD_BUILD_REFERENCE_LIBRARY must name the reference library (fuzz/meson.build)"
#endif

namespace {

namespace cf = tfqkd::conformance;

const cf::VendorLibrary* vendor = nullptr;
bool strict = false;

void open_vendor() {
    const char* env = std::getenv("TFQKD_DIFFERENTIAL_LIBRARY");
    std::string path = env != nullptr && *env != '\0' ? env : TFQKD_BUILD_REFERENCE_LIBRARY;
    if (env == nullptr || *env == '\0') {
        std::error_code ec;
        const auto beside = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "libtfqkd_conformance_ref.so";
        if (!ec && std::filesystem::exists(beside, ec)) path = beside.string();
    }
    auto lib = cf::VendorLibrary::open(path, cf::Isolation::in_process);
    if (!lib) {
        std::fprintf(stderr, "fuzz_differential: %s\n", lib.error().detail.c_str());
        std::abort();
    }
    if (!(*lib)->implements(TFQKD_CAP_DECODE_MESSAGE) || !(*lib)->implements(TFQKD_CAP_DECODE_FRAME)) {
        std::fprintf(stderr, "fuzz_differential: %s implements neither tfqkd_decode_message nor tfqkd_decode_frame "
                             "in full; both are needed\n", path.c_str());
        std::abort();
    }
    vendor = lib->release();  // lives for the process, as the fuzzer does
    const char* s = std::getenv("TFQKD_DIFFERENTIAL_STRICT");
    strict = s != nullptr && std::string(s) == "1";
}

[[noreturn]] void disagree(const char* what, const cf::CallOutcome& ours, const cf::CallOutcome& theirs) {
    std::fprintf(stderr, "fuzz_differential: %s\n  tfqkd:  %s%s%s\n  vendor: %s%s%s\n", what, ours.describe().c_str(),
                 ours.status == TFQKD_REJECTED ? " " : "", ours.status == TFQKD_REJECTED ? ours.reject.field : "",
                 theirs.describe().c_str(), theirs.status == TFQKD_REJECTED ? " " : "",
                 theirs.status == TFQKD_REJECTED ? theirs.reject.field : "");
    std::abort();
}

// Our side, through the same adapter the reference library exports, so that both sides produce the
// ABI's canonical bytes the same way.
cf::CallOutcome ours(std::uint8_t selector, const std::uint8_t* data, std::size_t size) {
    cf::CallOutcome o;
    o.kind = cf::CallOutcome::Kind::returned;
    o.output.assign(size + 4096, 0);
    std::size_t written = 0;
    o.status = selector == 0 ? tfqkd::conformance::ref::decode_frame(data, size, o.output.data(), o.output.size(), &written, &o.reject)
                             : tfqkd::conformance::ref::decode_message(selector, data, size, o.output.data(), o.output.size(),
                                                                       &written, &o.reject);
    o.output.resize(o.status == TFQKD_OK ? written : 0);
    return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (vendor == nullptr) open_vendor();
    if (size == 0) return 0;
    const std::uint8_t selector = data[0];
    const std::uint8_t* body = data + 1;
    const std::size_t body_size = size - 1;
    const cf::CallOutcome a = ours(selector, body, body_size);
    const tfqkd::ByteSpan input(body, body_size);
    const cf::CallOutcome b = selector == 0 ? vendor->decode_frame(input) : vendor->decode_message(selector, input);
    if (b.status == TFQKD_NOT_IMPLEMENTED) return 0;  // a message type the vendor does not offer
    if ((a.status == TFQKD_OK) != (b.status == TFQKD_OK)) disagree("the verdicts differ", a, b);
    if (a.status == TFQKD_OK) {
        if (a.output != b.output) disagree("the re-encodings differ", a, b);
        if (a.output.size() != body_size || !std::equal(a.output.begin(), a.output.end(), body))
            disagree("an accepted input does not re-encode to itself (WF-ENC-6)", a, b);
    } else if (b.status != TFQKD_REJECTED) {
        disagree("the vendor neither accepted nor rejected", a, b);
    } else if (strict && a.reject.code != b.reject.code) {
        disagree("the error codes differ (TFQKD_DIFFERENTIAL_STRICT=1)", a, b);
    }
    return 0;
}
