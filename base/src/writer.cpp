#include "base/writer.hpp"

#include <bit>

namespace tfqkd {

void Writer::varint(std::uint64_t v) {
    if (error_) return;
    while (v >= 0x80) {
        out_.push_back(static_cast<Byte>(v | 0x80));
        v >>= 7;
    }
    out_.push_back(static_cast<Byte>(v));
}

void Writer::f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }

void Writer::bytes(ByteSpan data) {
    if (error_) return;
    out_.insert(out_.end(), data.begin(), data.end());
}

Writer::LengthPrefix Writer::open_length(std::string_view field, unsigned width, std::uint64_t max) {
    LengthPrefix prefix{out_.size(), width, max, field};
    if (!error_) out_.resize(out_.size() + width, 0);
    return prefix;
}

void Writer::close_length(const LengthPrefix& prefix) {
    if (error_) return;
    const std::uint64_t length = out_.size() - prefix.at - prefix.width;
    const std::uint64_t width_max = prefix.width >= 8 ? ~0ULL : (1ULL << (8 * prefix.width)) - 1;
    if (length > prefix.max || length > width_max) {
        fail(prefix.field, Errc::out_of_range,
             "contents of " + std::to_string(length) + " bytes exceed the limit of " + std::to_string(prefix.max));
        return;
    }
    for (unsigned i = 0; i < prefix.width; ++i)
        out_[prefix.at + i] = static_cast<Byte>(length >> (8 * (prefix.width - 1 - i)));
}

void Writer::fail(std::string_view field, Errc code, std::string detail) {
    if (error_) return;
    error_ = Error{code, message_, field, out_.size(), std::move(detail)};
}

}  // namespace tfqkd
