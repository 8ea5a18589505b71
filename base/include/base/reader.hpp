// A bounded read cursor over a byte span, in the style of BoringSSL's CBS.
//
// Contract:
//  - every getter returns true and advances, or returns false, leaves the output untouched and
//    records the first error (message, field, reason, offset); it never reads past the end;
//  - once a read has failed, every later read fails too (sticky), so a parser may chain reads and
//    check once; error() gives the first failure;
//  - all multi-byte integers are big-endian (docs/wire-format.md, WF-ENC-1);
//  - varints are unsigned LEB128 in their unique shortest form (WF-ENC-2);
//  - f64 is an IEEE 754 binary64 bit pattern; NaN, infinities and -0.0 are rejected (WF-ENC-3).
// The reader allocates nothing. `message` and field names must be string literals.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/bytes.hpp"
#include "base/result.hpp"

namespace tfqkd {

class Reader {
public:
    Reader(ByteSpan data, std::string_view message) noexcept : data_(data), message_(message) {}

    std::size_t offset() const noexcept { return pos_; }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool failed() const noexcept { return failed_; }
    const Error& error() const noexcept { return error_; }
    std::string_view message() const noexcept { return message_; }

    // Fixed-width big-endian unsigned integers.
    [[nodiscard]] bool u8(std::string_view field, std::uint8_t& out) noexcept { return fixed(field, out); }
    [[nodiscard]] bool u16(std::string_view field, std::uint16_t& out) noexcept { return fixed(field, out); }
    [[nodiscard]] bool u32(std::string_view field, std::uint32_t& out) noexcept { return fixed(field, out); }
    [[nodiscard]] bool u64(std::string_view field, std::uint64_t& out) noexcept { return fixed(field, out); }

    // A fixed-width integer that must lie in [min, max] (the spec's bounds, written where it is read).
    template <class T>
    [[nodiscard]] bool uint_in(std::string_view field, T& out, T min, T max) noexcept {
        const std::size_t at = pos_;
        T v{};
        if (!fixed(field, v)) return false;
        if (v < min || v > max) return fail_at(at, field, Errc::out_of_range);
        out = v;
        return true;
    }

    // A canonical unsigned LEB128 varint of at most `max_bytes` bytes (1..10).
    [[nodiscard]] bool varint(std::string_view field, std::uint64_t& out, unsigned max_bytes = 10) noexcept;

    // A finite binary64 in [min, max]; -0.0 is non-canonical.
    [[nodiscard]] bool f64_in(std::string_view field, double& out, double min, double max) noexcept;

    // A view of the next n bytes (no copy).
    [[nodiscard]] bool bytes(std::string_view field, std::size_t n, ByteSpan& out) noexcept;

    // Copies exactly out.size() bytes.
    [[nodiscard]] bool copy(std::string_view field, MutableByteSpan out) noexcept;

    // Succeeds if the input was consumed exactly (WF-ENC-5); otherwise records trailing_data.
    [[nodiscard]] bool expect_end() noexcept;

    // Records an error at the current offset (or at `at`) and returns false, for checks a parser
    // makes itself (an undefined enum value, a list out of order).
    bool fail(std::string_view field, Errc code) noexcept { return fail_at(pos_, field, code); }
    bool fail_at(std::size_t at, std::string_view field, Errc code) noexcept;

    // The recorded error, for returning from a parser.
    Error take_error() noexcept { return std::move(error_); }

    // Unchecked access for hot loops that have already bounded their reads against remaining().
    const Byte* cursor() const noexcept { return data_.data() + pos_; }
    void skip_unchecked(std::size_t n) noexcept { pos_ += n; }

private:
    template <class T>
    bool fixed(std::string_view field, T& out) noexcept {
        if (failed_) return false;
        if (remaining() < sizeof(T)) return fail(field, Errc::truncated);
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | data_[pos_ + i]);
        pos_ += sizeof(T);
        out = v;
        return true;
    }

    ByteSpan data_;
    std::size_t pos_ = 0;
    std::string_view message_;
    bool failed_ = false;
    Error error_{};
};

// Decodes one canonical LEB128 varint from [p, end). Returns the number of bytes consumed, 0 if the
// input ends inside the varint, or -1 if it is over-long, exceeds max_bytes or overflows 64 bits.
// Exposed for the bulk decoders (detection reports) that inline it in their loops.
int decode_varint(const Byte* p, const Byte* end, std::uint64_t& out, unsigned max_bytes) noexcept;

}  // namespace tfqkd
