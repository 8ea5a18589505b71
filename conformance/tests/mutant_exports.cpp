// A mutant of the reference library: the reference implementation (src/reference.hpp) with one
// realistic defect, chosen at build time by -DTFQKD_MUTANT=<name>. Each must be caught by at least
// one vector test (tests/conformance_test.cpp and cli/tests/conformance_test.py check that), which
// is the proof that the vector suite bites. A mutant lives here, with the tests, never in the
// reference library.
#include <csignal>
#include <cstring>
#include <unistd.h>

#include <vector>

#include "../tools/bitwise_poly_hash.hpp"
#include "reference.hpp"

namespace {

enum class Mutant {
    accepts_truncated,      // a decoder that takes a short input for a whole one (WF-ENC-5)
    skips_range_check,      // a decoder without the spec's bounds on numbers (out_of_range)
    accepts_trailing_data,  // a decoder that stops reading after the last field (WF-ENC-5)
    hash_wrong_polynomial,  // GF(2^128) reduced by x^128 + x^7 + x^2 + 1 instead of ... + x + 1
    toeplitz_seed_reversed, // the Toeplitz seed read from the wrong end
    key_length_overclaim,   // claims 2 % more than certified (a looser bound, a dropped term)
    crashes,                // dereferences garbage on abort messages (SIGSEGV)
    hangs,                  // loops forever on an empty frame
    partial,                // no Toeplitz, no key length, no ldpc_syndrome: "not implemented"
    garbage_reject,         // rejections name a field of 0xFF bytes with no NUL: not UTF-8, not a C string
};
constexpr Mutant kMutant = Mutant::TFQKD_MUTANT;

namespace ref = tfqkd::conformance::ref;

// The defect of the decoding mutants: where the reference rejects with `code`, accept instead and
// hand the input back as if it were canonical.
[[maybe_unused]] tfqkd_status accept_when(std::uint16_t code, tfqkd_status status, const std::uint8_t* in, std::size_t in_len,
                         std::uint8_t* out, std::size_t out_cap, std::size_t* out_len, const tfqkd_reject* reject) {
    if (status != TFQKD_REJECTED || reject->code != code) return status;
    *out_len = in_len;
    if (in_len > out_cap) return TFQKD_BUFFER_TOO_SMALL;
    if (in_len != 0) std::memcpy(out, in, in_len);
    return TFQKD_OK;
}

tfqkd_status decode_defect(tfqkd_status status, const std::uint8_t* in, std::size_t in_len, std::uint8_t* out,
                           std::size_t out_cap, std::size_t* out_len, tfqkd_reject* reject) {
    if constexpr (kMutant == Mutant::accepts_truncated) return accept_when(1, status, in, in_len, out, out_cap, out_len, reject);
    if constexpr (kMutant == Mutant::accepts_trailing_data) return accept_when(2, status, in, in_len, out, out_cap, out_len, reject);
    if constexpr (kMutant == Mutant::skips_range_check) return accept_when(3, status, in, in_len, out, out_cap, out_len, reject);
    if constexpr (kMutant == Mutant::garbage_reject)
        if (status == TFQKD_REJECTED) std::memset(reject->field, 0xFF, sizeof reject->field);
    return status;
}

}  // namespace

extern "C" {

uint32_t tfqkd_abi_version(void) { return TFQKD_ABI_VERSION; }

uint32_t tfqkd_capabilities(void) {
    if constexpr (kMutant == Mutant::partial)
        return TFQKD_CAP_DECODE_MESSAGE | TFQKD_CAP_DECODE_FRAME | TFQKD_CAP_VERIFICATION_HASH;
    return TFQKD_CAP_DECODE_MESSAGE | TFQKD_CAP_DECODE_FRAME | TFQKD_CAP_VERIFICATION_HASH | TFQKD_CAP_TOEPLITZ |
           TFQKD_CAP_KEY_LENGTH;
}

tfqkd_status tfqkd_decode_message(uint8_t type, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                                  size_t* out_len, tfqkd_reject* reject) {
    if constexpr (kMutant == Mutant::crashes)
        if (type == 0x7F) std::raise(SIGSEGV);
    if constexpr (kMutant == Mutant::partial)
        if (type == 0x42) return TFQKD_NOT_IMPLEMENTED;
    const tfqkd_status s = ref::decode_message(type, in, in_len, out, out_cap, out_len, reject);
    return decode_defect(s, in, in_len, out, out_cap, out_len, reject);
}

tfqkd_status tfqkd_decode_frame(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len,
                                tfqkd_reject* reject) {
    if constexpr (kMutant == Mutant::hangs)
        if (in_len == 0)
            for (;;) pause();
    const tfqkd_status s = ref::decode_frame(in, in_len, out, out_cap, out_len, reject);
    return decode_defect(s, in, in_len, out, out_cap, out_len, reject);
}

tfqkd_status tfqkd_verification_hash(const uint8_t key[16], const uint8_t* data, uint64_t bit_length, uint8_t out[16]) {
    if constexpr (kMutant == Mutant::hash_wrong_polynomial) {
        const auto h = tfqkd::conformance::bitwise::hash(key, data, bit_length, 0x85);
        std::memcpy(out, h.data(), h.size());
        return TFQKD_OK;
    }
    return ref::verification_hash(key, data, bit_length, out);
}

tfqkd_status tfqkd_toeplitz(const uint8_t* seed, const uint8_t* input, uint64_t input_bits, uint64_t output_bits,
                            uint8_t* out, size_t out_cap) {
    if constexpr (kMutant == Mutant::toeplitz_seed_reversed) {
        if (input_bits == 0 || output_bits == 0 || output_bits > input_bits) return TFQKD_REJECTED;
        const uint64_t bits = input_bits + output_bits - 1;
        std::vector<uint8_t> reversed((bits + 7) / 8, 0);
        for (uint64_t i = 0; i < bits; ++i)
            if (((seed[i / 8] >> (7 - i % 8)) & 1U) != 0) {
                const uint64_t j = bits - 1 - i;
                reversed[j / 8] = static_cast<uint8_t>(reversed[j / 8] | (0x80U >> (j % 8)));
            }
        return ref::toeplitz(reversed.data(), input, input_bits, output_bits, out, out_cap);
    }
    if constexpr (kMutant == Mutant::partial) return TFQKD_NOT_IMPLEMENTED;
    return ref::toeplitz(seed, input, input_bits, output_bits, out, out_cap);
}

tfqkd_status tfqkd_key_length(const char* statistics_json, size_t json_len, uint64_t* bits, char* error,
                              size_t error_cap) {
    if constexpr (kMutant == Mutant::partial) return TFQKD_NOT_IMPLEMENTED;
    const tfqkd_status s = ref::key_length(statistics_json, json_len, bits, error, error_cap);
    if constexpr (kMutant == Mutant::key_length_overclaim)
        if (s == TFQKD_OK) *bits += *bits / 50 + 1;
    return s;
}

}  // extern "C"
