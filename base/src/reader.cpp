#include "base/reader.hpp"

#include <bit>
#include <cmath>

namespace tfqkd {

int decode_varint(const Byte* p, const Byte* end, std::uint64_t& out, unsigned max_bytes) noexcept {
    std::uint64_t value = 0;
    const unsigned limit = max_bytes < 10 ? max_bytes : 10;
    for (unsigned i = 0; i < limit; ++i) {
        if (p + i == end) return 0;
        const Byte b = p[i];
        const std::uint64_t bits = b & 0x7f;
        // The tenth byte of a 64-bit varint may carry only the top bit of the value.
        if (i == 9 && bits > 1) return -1;
        value |= bits << (7 * i);
        if ((b & 0x80) == 0) {
            // Shortest form: a multi-byte varint must not end in a zero group (WF-ENC-2).
            if (i > 0 && b == 0) return -1;
            out = value;
            return static_cast<int>(i + 1);
        }
    }
    return -1;
}

bool Reader::varint(std::string_view field, std::uint64_t& out, unsigned max_bytes) noexcept {
    if (failed_) return false;
    std::uint64_t v = 0;
    const int n = decode_varint(cursor(), data_.data() + data_.size(), v, max_bytes);
    if (n == 0) return fail(field, Errc::truncated);
    if (n < 0) {
        // Distinguish "too long for its field" from "not the shortest form" for a precise error.
        const Byte* p = cursor();
        const std::size_t avail = remaining();
        std::size_t len = 0;
        while (len < avail && len < 11 && (p[len] & 0x80) != 0) ++len;
        const bool terminated = len < avail && len < 11;
        const bool overlong_zero = terminated && len > 0 && p[len] == 0;
        return fail(field, overlong_zero ? Errc::non_canonical : Errc::out_of_range);
    }
    pos_ += static_cast<std::size_t>(n);
    out = v;
    return true;
}

bool Reader::f64_in(std::string_view field, double& out, double min, double max) noexcept {
    const std::size_t at = pos_;
    std::uint64_t bits = 0;
    if (!u64(field, bits)) return false;
    const double v = std::bit_cast<double>(bits);
    if (!std::isfinite(v)) return fail_at(at, field, Errc::invalid_value);
    if (bits == 0x8000000000000000ULL) return fail_at(at, field, Errc::non_canonical);
    if (v < min || v > max) return fail_at(at, field, Errc::out_of_range);
    out = v;
    return true;
}

bool Reader::bytes(std::string_view field, std::size_t n, ByteSpan& out) noexcept {
    if (failed_) return false;
    if (remaining() < n) return fail(field, Errc::truncated);
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
}

bool Reader::copy(std::string_view field, MutableByteSpan out) noexcept {
    ByteSpan view;
    if (!bytes(field, out.size(), view)) return false;
    if (!view.empty()) std::memcpy(out.data(), view.data(), view.size());
    return true;
}

bool Reader::expect_end() noexcept {
    if (failed_) return false;
    if (remaining() != 0) return fail("", Errc::trailing_data);
    return true;
}

bool Reader::fail_at(std::size_t at, std::string_view field, Errc code) noexcept {
    if (failed_) return false;
    failed_ = true;
    error_.code = code;
    error_.message = message_;
    error_.field = field;
    error_.offset = at;
    return false;
}

}  // namespace tfqkd
