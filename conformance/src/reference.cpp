#include "reference.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>
#include <variant>

#include "base/bits.hpp"
#include "base/reader.hpp"
#include "base/secret.hpp"
#include "hardware_model/scenario.hpp"
#include "protocol/postprocessing/poly_hash.hpp"
#include "protocol/postprocessing/toeplitz.hpp"
#include "protocol/wire/frame.hpp"
#include "security/key_length.hpp"

namespace tfqkd::conformance::ref {
namespace {

ByteSpan span_of(const std::uint8_t* data, std::size_t size) noexcept {
    // The ABI allows a null pointer with length 0; a span needs no pointer then.
    return data == nullptr ? ByteSpan{} : ByteSpan{data, size};
}

tfqkd_status reject_with(const Error& error, tfqkd_reject* reject) noexcept {
    if (reject != nullptr) {
        reject->code = static_cast<std::uint16_t>(error.code);
        copy_c_string(error.message, reject->message, sizeof reject->message);
        copy_c_string(error.field, reject->field, sizeof reject->field);
    }
    return TFQKD_REJECTED;
}

tfqkd_status write_out(ByteSpan bytes, std::uint8_t* out, std::size_t out_cap, std::size_t* out_len) noexcept {
    *out_len = bytes.size();
    if (bytes.size() > out_cap) return TFQKD_BUFFER_TOO_SMALL;
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    return TFQKD_OK;
}

}  // namespace

void copy_c_string(std::string_view text, char* out, std::size_t cap) noexcept {
    if (out == nullptr || cap == 0) return;
    const std::size_t n = std::min(text.size(), cap - 1);
    std::memcpy(out, text.data(), n);
    out[n] = '\0';
}

tfqkd_status decode_message(std::uint8_t type, const std::uint8_t* in, std::size_t in_len, std::uint8_t* out,
                            std::size_t out_cap, std::size_t* out_len, tfqkd_reject* reject) noexcept {
    if ((in == nullptr && in_len != 0) || out_len == nullptr || (out == nullptr && out_cap != 0))
        return TFQKD_INVALID_ARGUMENT;
    try {
        const auto message_type = wire::message_type_from_u8(type);
        // An undefined type byte is a verdict about the input (WF-FRM-2's code), not a missing feature.
        if (!message_type) return reject_with(make_error(Errc::unknown_type, "message", "type"), reject);
        Result<wire::Message> message = wire::decode_message(*message_type, span_of(in, in_len));
        if (!message) return reject_with(message.error(), reject);
        Result<Bytes> encoded = wire::encode_message(*message);
        // The encoder decodes its own output, so a decoded message always encodes (WF-ENC-6); an
        // error here would be a bug of ours, reported as such rather than as a verdict on the input.
        if (!encoded) return TFQKD_INTERNAL_ERROR;
        return write_out(*encoded, out, out_cap, out_len);
    } catch (...) {
        return TFQKD_INTERNAL_ERROR;
    }
}

tfqkd_status decode_frame(const std::uint8_t* in, std::size_t in_len, std::uint8_t* out, std::size_t out_cap,
                          std::size_t* out_len, tfqkd_reject* reject) noexcept {
    if ((in == nullptr && in_len != 0) || out_len == nullptr || (out == nullptr && out_cap != 0))
        return TFQKD_INVALID_ARGUMENT;
    try {
        Result<wire::DecodedFrame> decoded = wire::decode_frame_message(span_of(in, in_len));
        if (!decoded) return reject_with(decoded.error(), reject);
        // Re-encode from the decoded message, not from the payload bytes, so that the canonical
        // form of the payload is ours; the tag is carried over as received.
        Result<Bytes> encoded = wire::encode_frame_message(decoded->frame.header, decoded->message);
        if (!encoded) return TFQKD_INTERNAL_ERROR;
        const ByteSpan tag = decoded->frame.tag;
        if (!tag.empty()) std::copy(tag.begin(), tag.end(), encoded->end() - static_cast<std::ptrdiff_t>(tag.size()));
        return write_out(*encoded, out, out_cap, out_len);
    } catch (...) {
        return TFQKD_INTERNAL_ERROR;
    }
}

tfqkd_status verification_hash(const std::uint8_t key[16], const std::uint8_t* data, std::uint64_t bit_length,
                               std::uint8_t out[16]) noexcept {
    if (key == nullptr || out == nullptr || (data == nullptr && bit_length != 0)) return TFQKD_INVALID_ARGUMENT;
    pp::PolyHashKey k;
    std::copy_n(key, k.size(), k.begin());
    // poly_hash_128 requires zero padding bits; the ABI promises them, but a caller's stray bit must
    // not change the hash of the bits it named, so the last byte is masked on a copy.
    Bytes message(span_of(data, PackedBits::byte_count(bit_length)).begin(),
                  span_of(data, PackedBits::byte_count(bit_length)).end());
    if (bit_length % 8 != 0) message.back() &= static_cast<Byte>(0xFFU << (8 - bit_length % 8));
    const pp::PolyHashValue h = pp::poly_hash_128(k, message, bit_length);
    std::copy(h.begin(), h.end(), out);
    return TFQKD_OK;
}

tfqkd_status toeplitz(const std::uint8_t* seed, const std::uint8_t* input, std::uint64_t input_bits,
                      std::uint64_t output_bits, std::uint8_t* out, std::size_t out_cap) noexcept {
    if (input_bits == 0 || output_bits == 0 || output_bits > input_bits || input_bits > pp::kToeplitzMaxInputBits)
        return TFQKD_REJECTED;
    if (seed == nullptr || input == nullptr || out == nullptr) return TFQKD_INVALID_ARGUMENT;
    if (out_cap < PackedBits::byte_count(output_bits)) return TFQKD_BUFFER_TOO_SMALL;
    try {
        const std::uint64_t seed_bits = input_bits + output_bits - 1;
        Bytes seed_bytes(seed, seed + PackedBits::byte_count(seed_bits));
        if (seed_bits % 8 != 0) seed_bytes.back() &= static_cast<Byte>(0xFFU << (8 - seed_bits % 8));
        Reader reader(seed_bytes, "privacy_amplification");
        PackedBits s;
        if (!PackedBits::read(reader, "seed", seed_bits, s)) return TFQKD_INTERNAL_ERROR;
        Result<SecretBits> x = SecretBits::from_bytes(
            SecretBytes::copy_of(ByteSpan{input, PackedBits::byte_count(input_bits)}), input_bits);
        if (!x) return TFQKD_INTERNAL_ERROR;
        Result<SecretBits> y = pp::toeplitz_hash(s, *x, output_bits);
        if (!y) return TFQKD_REJECTED;
        const ByteSpan bytes = y->reveal();
        std::copy(bytes.begin(), bytes.end(), out);
        return TFQKD_OK;
    } catch (...) {
        return TFQKD_INTERNAL_ERROR;
    }
}

tfqkd_status key_length(const char* statistics_json, std::size_t json_len, std::uint64_t* bits, char* error,
                        std::size_t error_cap) noexcept {
    if (statistics_json == nullptr || bits == nullptr || (error == nullptr && error_cap != 0))
        return TFQKD_INVALID_ARGUMENT;
    copy_c_string("", error, error_cap);
    try {
        namespace sc = hardware_model::scenario;
        // The reader of `tfqkd keyrate`: the same fields, defaults and checks as the command.
        auto parsed = sc::parse_scenario(std::string_view(statistics_json, json_len));
        if (const auto* bad = std::get_if<sc::InputError>(&parsed)) {
            copy_c_string(bad->to_string(), error, error_cap);
            return TFQKD_REJECTED;
        }
        const auto& s = std::get<sc::Scenario>(parsed);
        if (s.kind != sc::Kind::certify) {
            copy_c_string("the input holds no observed \"counts\": a key length is certified from statistics", error,
                          error_cap);
            return TFQKD_REJECTED;
        }
        const security::SnsOptions options{security::Analysis::finite, s.ec_efficiency};
        Result<security::KeyLength> key = security::certified_key_length(s.protocol, s.security, s.counts, options);
        if (!key) {
            copy_c_string(key.error().to_string(), error, error_cap);
            return TFQKD_REJECTED;
        }
        *bits = key->bits;
        return TFQKD_OK;
    } catch (...) {
        return TFQKD_INTERNAL_ERROR;
    }
}

}  // namespace tfqkd::conformance::ref
