#include "base/bits.hpp"

#include "base/secret.hpp"

#include <bit>

namespace tfqkd {

void PackedBits::push_back(bool bit) {
    if (size_ % 8 == 0) bytes_.push_back(0);
    ++size_;
    set(size_ - 1, bit);
}

void PackedBits::resize(std::uint64_t size) {
    bytes_.resize(byte_count(size), 0);
    size_ = size;
    // Keep the padding bits zero so that equality and the wire form stay canonical.
    if (size_ % 8 != 0) bytes_.back() &= static_cast<Byte>(0xFFU << (8 - size_ % 8));
}

void PackedBits::wipe() noexcept {
    secure_wipe(bytes_.data(), bytes_.size());
    bytes_.clear();
    size_ = 0;
}

std::uint64_t PackedBits::popcount() const noexcept {
    std::uint64_t ones = 0;
    for (Byte b : bytes_) ones += static_cast<std::uint64_t>(std::popcount(b));
    return ones;
}

bool PackedBits::read(Reader& r, std::string_view field, std::uint64_t count, PackedBits& out) {
    const std::uint64_t n = byte_count(count);
    // Check the claimed size against what is left before allocating for it.
    if (n > r.remaining()) return r.fail(field, Errc::truncated);
    const std::size_t at = r.offset();
    ByteSpan view;
    if (!r.bytes(field, static_cast<std::size_t>(n), view)) return false;
    if (count % 8 != 0 && (view.back() & (0xFFU >> (count % 8))) != 0)
        return r.fail_at(at + view.size() - 1, field, Errc::non_canonical);
    out.size_ = count;
    out.bytes_.assign(view.begin(), view.end());
    return true;
}

}  // namespace tfqkd
