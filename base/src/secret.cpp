#include "base/secret.hpp"

#include <algorithm>
#include <cstring>
#include <ostream>
#include <utility>

namespace tfqkd {

void secure_wipe(void* data, std::size_t size) noexcept {
    if (size == 0) return;
    std::memset(data, 0, size);
    // The empty asm takes the pointer as an input and clobbers memory: the compiler must assume the
    // zeros are read, so it cannot drop the memset as a dead store (BoringSSL, OPENSSL_cleanse).
    __asm__ __volatile__("" : : "r"(data) : "memory");
}

bool constant_time_equal(ByteSpan a, ByteSpan b) noexcept {
    if (a.size() != b.size()) return false;  // lengths are public
    unsigned difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned>(a[i] ^ b[i]);
    // Hide the accumulator from the optimiser so it cannot turn the loop into an early exit.
    __asm__ __volatile__("" : "+r"(difference));
    return difference == 0;
}

SecretBytes::SecretBytes(std::size_t size) : data_(size > 0 ? new Byte[size]() : nullptr), size_(size) {}

SecretBytes SecretBytes::copy_of(ByteSpan data) {
    SecretBytes s(data.size());
    if (!data.empty()) std::memcpy(s.data_.get(), data.data(), data.size());
    return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        clear();
        data_ = std::move(other.data_);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

SecretBytes::~SecretBytes() { clear(); }

SecretBytes SecretBytes::clone() const { return copy_of(reveal()); }

void SecretBytes::resize(std::size_t new_size) {
    SecretBytes grown(new_size);
    const std::size_t kept = std::min(size_, new_size);
    if (kept > 0) std::memcpy(grown.data_.get(), data_.get(), kept);
    *this = std::move(grown);  // wipes the old block
}

void SecretBytes::clear() noexcept {
    secure_wipe(data_.get(), size_);
    data_.reset();
    size_ = 0;
}

SecretBits SecretBits::copy_of(const PackedBits& bits) {
    SecretBits s;
    s.size_ = bits.size();
    s.bytes_ = SecretBytes::copy_of(bits.bytes());
    return s;
}

Result<SecretBits> SecretBits::from_bytes(SecretBytes bytes, std::uint64_t size) {
    if (bytes.size() != PackedBits::byte_count(size))
        return make_error(Errc::length_mismatch, "secret_bits", "bytes",
                          "the byte count is not that of the bit count");
    SecretBits s;
    s.size_ = size;
    s.bytes_ = std::move(bytes);
    if (size % 8 != 0) {
        Byte& last = s.bytes_.reveal_mutable().back();
        last = static_cast<Byte>(last & (0xFFU << (8 - size % 8)));
    }
    return s;
}

SecretBits SecretBits::clone() const {
    SecretBits s;
    s.size_ = size_;
    s.bytes_ = bytes_.clone();
    return s;
}

SecretBits SecretBits::slice(std::uint64_t first, std::uint64_t count) const {
    SecretBits out(count);
    if (first % 8 == 0) {
        // Byte-aligned: copy whole bytes, then clear the padding.
        const std::size_t bytes = PackedBits::byte_count(count);
        if (bytes > 0) std::memcpy(out.reveal_mutable().data(), reveal().data() + first / 8, bytes);
        if (count % 8 != 0) {
            Byte& last = out.reveal_mutable().back();
            last = static_cast<Byte>(last & (0xFFU << (8 - count % 8)));
        }
        return out;
    }
    for (std::uint64_t i = 0; i < count; ++i) out.set(i, get(first + i));
    return out;
}

void SecretBits::append(const SecretBits& tail) {
    const std::uint64_t old_size = size_;
    bytes_.resize(PackedBits::byte_count(old_size + tail.size_));
    size_ = old_size + tail.size_;
    if (old_size % 8 == 0) {
        // Byte-aligned (the usual case: pools grow by whole keys): one copy; the tail's padding is zero.
        const ByteSpan from = tail.reveal();
        if (!from.empty()) std::memcpy(bytes_.reveal_mutable().data() + old_size / 8, from.data(), from.size());
        return;
    }
    for (std::uint64_t i = 0; i < tail.size_; ++i) set(old_size + i, tail.get(i));
}

void SecretBits::clear() noexcept {
    bytes_.clear();
    size_ = 0;
}

void PrintTo(const SecretBytes& secret, std::ostream* out) { *out << "<secret, " << secret.size() << " bytes>"; }
void PrintTo(const SecretBits& secret, std::ostream* out) { *out << "<secret, " << secret.size() << " bits>"; }

}  // namespace tfqkd
