// A vendor library behind the conformance C ABI (include/tfqkd/conformance_abi.h), loaded with
// dlopen, and every call into it made in a child process with a time limit: a library that crashes
// or hangs fails the test that called it, with the signal, and the harness goes on. The child is
// killed (its whole process group) and reaped before a call returns, so none is ever left behind.
//
// In-process calls (Isolation::in_process) are for the differential fuzz target, where a crash is
// what the fuzzer must see and a fork per input would cost more than the decoding.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "tfqkd/conformance_abi.h"

namespace tfqkd::conformance {

enum class Isolation { child_process, in_process };

struct CallLimits {
    // Wall time of one call, fork to reaped child. Generous: a key-length certification of ours
    // takes a fraction of a second, a vendor's may take more on a loaded CI machine.
    std::chrono::milliseconds timeout{10'000};
    // The largest output the harness accepts from one call (a re-encoding, a Toeplitz output).
    std::size_t max_output = std::size_t{1} << 28;
};

// What became of one call.
struct CallOutcome {
    enum class Kind {
        returned,       // the function returned `status`; outputs below
        crashed,        // the child was killed by `signal` (SIGSEGV, SIGABRT, ...)
        timed_out,      // no answer within the limit: killed with SIGKILL
        exited,         // the child exited (code `exit_code`) instead of answering: exit() in the library
        harness_error,  // fork, pipe or the answer failed; `text` says which
    };
    Kind kind = Kind::harness_error;
    tfqkd_status status = TFQKD_INTERNAL_ERROR;
    int signal = 0;
    int exit_code = 0;
    Bytes output;                // decode: the re-encoding; hash: 16 bytes; toeplitz: ceil(l / 8) bytes
    tfqkd_reject reject{};       // decode: the reason of a TFQKD_REJECTED
    std::uint64_t number = 0;    // key_length: the claimed bits
    std::string text;            // key_length: the error text; harness_error: what failed
    std::string stderr_tail;     // the first bytes the library wrote to stderr in the child
    bool returned_ok() const noexcept { return kind == Kind::returned && status == TFQKD_OK; }
    // One sentence for a report: "crashed with signal 11 (SIGSEGV)", "returned TFQKD_REJECTED", ...
    std::string describe() const;
};

std::string_view status_name(tfqkd_status status) noexcept;

class VendorLibrary {
public:
    // Loads `path`. The first load happens in a child (a library whose constructor crashes cannot
    // take the harness down); then in this process, so that later children inherit the mapping.
    // Errors (Errc::io / invalid_argument, detail naming the path): cannot be loaded (dlerror's
    // text), lacks tfqkd_abi_version or tfqkd_capabilities, crashed while loading, an ABI version
    // this harness does not know.
    static Result<std::unique_ptr<VendorLibrary>> open(const std::string& path, Isolation isolation,
                                                       CallLimits limits = {});
    ~VendorLibrary();
    VendorLibrary(const VendorLibrary&) = delete;
    VendorLibrary& operator=(const VendorLibrary&) = delete;

    const std::string& path() const noexcept { return path_; }
    std::uint32_t abi_version() const noexcept { return abi_version_; }
    std::uint32_t capabilities() const noexcept { return capabilities_; }
    // The capability bit is set and the function is exported.
    bool implements(std::uint32_t capability) const noexcept;
    const CallLimits& limits() const noexcept { return limits_; }

    CallOutcome decode_message(std::uint8_t type, ByteSpan payload) const;
    CallOutcome decode_frame(ByteSpan frame) const;
    CallOutcome verification_hash(ByteSpan key16, ByteSpan data, std::uint64_t bit_length) const;
    CallOutcome toeplitz(ByteSpan seed, ByteSpan input, std::uint64_t input_bits, std::uint64_t output_bits) const;
    CallOutcome key_length(std::string_view statistics_json) const;

    struct Symbols;

private:
    VendorLibrary() = default;
    std::string path_;
    Isolation isolation_ = Isolation::child_process;
    CallLimits limits_;
    void* handle_ = nullptr;
    std::unique_ptr<Symbols> symbols_;
    std::uint32_t abi_version_ = 0;
    std::uint32_t capabilities_ = 0;
};

}  // namespace tfqkd::conformance
