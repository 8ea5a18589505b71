// libtfqkd_conformance_ref.so: the reference implementation of the conformance C ABI, exported
// under the ABI's names (the library is built with hidden visibility; TFQKD_ABI_EXPORT marks these).
#include "reference.hpp"

extern "C" {

uint32_t tfqkd_abi_version(void) { return TFQKD_ABI_VERSION; }

uint32_t tfqkd_capabilities(void) {
    return TFQKD_CAP_DECODE_MESSAGE | TFQKD_CAP_DECODE_FRAME | TFQKD_CAP_VERIFICATION_HASH | TFQKD_CAP_TOEPLITZ |
           TFQKD_CAP_KEY_LENGTH;
}

tfqkd_status tfqkd_decode_message(uint8_t type, const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                                  size_t* out_len, tfqkd_reject* reject) {
    return tfqkd::conformance::ref::decode_message(type, in, in_len, out, out_cap, out_len, reject);
}

tfqkd_status tfqkd_decode_frame(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, size_t* out_len,
                                tfqkd_reject* reject) {
    return tfqkd::conformance::ref::decode_frame(in, in_len, out, out_cap, out_len, reject);
}

tfqkd_status tfqkd_verification_hash(const uint8_t key[16], const uint8_t* data, uint64_t bit_length, uint8_t out[16]) {
    return tfqkd::conformance::ref::verification_hash(key, data, bit_length, out);
}

tfqkd_status tfqkd_toeplitz(const uint8_t* seed, const uint8_t* input, uint64_t input_bits, uint64_t output_bits,
                            uint8_t* out, size_t out_cap) {
    return tfqkd::conformance::ref::toeplitz(seed, input, input_bits, output_bits, out, out_cap);
}

tfqkd_status tfqkd_key_length(const char* statistics_json, size_t json_len, uint64_t* bits, char* error,
                              size_t error_cap) {
    return tfqkd::conformance::ref::key_length(statistics_json, json_len, bits, error, error_cap);
}

}  // extern "C"
