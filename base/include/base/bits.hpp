// Packed bit strings: one bit per element, most significant bit of each byte first, padding bits in
// the last byte zero (docs/wire-format.md, WF-ENC-4). The wire form and the in-memory form are the
// same bytes, so encoding and decoding a bit list is a copy plus a padding check.
#pragma once

#include <cstdint>

#include "base/bytes.hpp"
#include "base/reader.hpp"
#include "base/writer.hpp"

namespace tfqkd {

class PackedBits {
public:
    PackedBits() = default;
    explicit PackedBits(std::uint64_t size) : size_(size), bytes_(byte_count(size), 0) {}

    static constexpr std::size_t byte_count(std::uint64_t bits) noexcept {
        return static_cast<std::size_t>((bits + 7) / 8);
    }

    std::uint64_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    bool get(std::uint64_t i) const noexcept { return ((static_cast<unsigned>(bytes_[i / 8]) >> (7 - i % 8)) & 1U) != 0; }
    void set(std::uint64_t i, bool bit) noexcept {
        const auto mask = static_cast<Byte>(0x80U >> (i % 8));
        if (bit) bytes_[i / 8] |= mask;
        else bytes_[i / 8] &= static_cast<Byte>(~mask);
    }
    void push_back(bool bit);
    void resize(std::uint64_t size);
    ByteSpan bytes() const noexcept { return bytes_; }

    // The number of one bits.
    std::uint64_t popcount() const noexcept;

    // Overwrites the bits with zeros by a write the optimiser keeps (secure_wipe) and empties the
    // string. For the places that must hold key material in this public-data type because an
    // interface takes it (Cascade's keys, the parties' raw keys): they call it when done.
    void wipe() noexcept;

    // Reads `count` packed bits; rejects a non-zero padding bit as non_canonical.
    [[nodiscard]] static bool read(Reader& r, std::string_view field, std::uint64_t count, PackedBits& out);
    void write(Writer& w) const { w.bytes(bytes_); }

    bool operator==(const PackedBits&) const = default;

private:
    std::uint64_t size_ = 0;
    Bytes bytes_;
};

}  // namespace tfqkd
