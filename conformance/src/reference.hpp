// tfqkd's own implementation of the conformance C ABI (include/tfqkd/conformance_abi.h), as C++
// functions with the ABI's signatures. reference_exports.cpp exports them under the ABI's names as
// libtfqkd_conformance_ref.so; the mutant libraries of the tests (tests/mutant_exports.cpp) call
// them and change one behaviour each. Nothing here is a second implementation: every function is a
// thin adapter over protocol/ (codecs, hash, Toeplitz) and security/ (certified key length).
//
// None of these functions throws: every exception of the code underneath (allocation) becomes
// TFQKD_INTERNAL_ERROR, because nothing may cross the C boundary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tfqkd/conformance_abi.h"

namespace tfqkd::conformance::ref {

tfqkd_status decode_message(std::uint8_t type, const std::uint8_t* in, std::size_t in_len, std::uint8_t* out,
                            std::size_t out_cap, std::size_t* out_len, tfqkd_reject* reject) noexcept;
tfqkd_status decode_frame(const std::uint8_t* in, std::size_t in_len, std::uint8_t* out, std::size_t out_cap,
                          std::size_t* out_len, tfqkd_reject* reject) noexcept;
tfqkd_status verification_hash(const std::uint8_t key[16], const std::uint8_t* data, std::uint64_t bit_length,
                               std::uint8_t out[16]) noexcept;
tfqkd_status toeplitz(const std::uint8_t* seed, const std::uint8_t* input, std::uint64_t input_bits,
                      std::uint64_t output_bits, std::uint8_t* out, std::size_t out_cap) noexcept;
tfqkd_status key_length(const char* statistics_json, std::size_t json_len, std::uint64_t* bits, char* error,
                        std::size_t error_cap) noexcept;

// Copies `text` into a C string buffer of `cap` bytes, truncated, always NUL-terminated (cap > 0).
void copy_c_string(std::string_view text, char* out, std::size_t cap) noexcept;

}  // namespace tfqkd::conformance::ref
