// Secret material: keys, key-pool bits, hash keys and pads.
//
// SecretBytes and SecretBits own heap memory that is wiped (overwritten with zeros by a write the
// optimiser may not remove) when the object is destroyed, assigned over, resized or cleared. They
// cannot be copied implicitly (clone() makes a copy on purpose), they have no printing or formatting
// operator, and their bytes are reachable only through reveal(), whose name marks every place a
// secret leaves its buffer so that a reviewer can find them all with grep.
//
// A move hands the heap block to the new owner without copying the bytes; the moved-from object is
// left empty, so there is no second copy to wipe. What was copied out through reveal() is the
// caller's to wipe (secure_wipe), which is why the post-processing code hashes secrets in place.
//
// Tags and other authenticators are compared with constant_time_equal, whose running time depends on
// the lengths only and never on where the first differing byte is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <utility>

#include "base/bits.hpp"
#include "base/bytes.hpp"

namespace tfqkd {

// Overwrites `size` bytes at `data` with zeros. The write is followed by a compiler barrier that
// tells the optimiser the memory is read afterwards, so the stores cannot be elided as dead; the
// technique is BoringSSL's OPENSSL_cleanse (crypto/mem.c). Safe on a null pointer with size 0.
void secure_wipe(void* data, std::size_t size) noexcept;

// An allocator whose blocks are wiped before they are freed, for containers of key material that
// need the container's own interface (word arrays with random access, say): a vector with it wipes
// every block it gives up, at destruction and at each reallocation. Construction and copies are the
// container's; the caller still decides where copies go.
template <class T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_wipe(p, n * sizeof(T));
        std::allocator<T>().deallocate(p, n);
    }
    template <class U>
    bool operator==(const WipingAllocator<U>& /*other*/) const noexcept {
        return true;
    }
};

// True when a and b have the same length and the same bytes. The time taken depends only on the
// lengths (public: a tag's length is fixed by the protocol), not on the contents.
[[nodiscard]] bool constant_time_equal(ByteSpan a, ByteSpan b) noexcept;

class SecretBytes {
public:
    SecretBytes() = default;
    // `size` zero bytes.
    explicit SecretBytes(std::size_t size);
    // A copy of `data`: the caller still owns, and must wipe, the original.
    static SecretBytes copy_of(ByteSpan data);

    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    ~SecretBytes();

    // A deliberate copy.
    SecretBytes clone() const;

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    // The bytes, for computing on them. Never print or log what these return.
    ByteSpan reveal() const noexcept { return {data_.get(), size_}; }
    MutableByteSpan reveal_mutable() noexcept { return {data_.get(), size_}; }

    // Grows or shrinks, keeping the first min(size, new_size) bytes; the old block is wiped.
    void resize(std::size_t new_size);
    // Wipes and releases the memory.
    void clear() noexcept;

    // Printing a secret is a compile error.
    friend std::ostream& operator<<(std::ostream&, const SecretBytes&) = delete;

private:
    std::unique_ptr<Byte[]> data_;
    std::size_t size_ = 0;
};

// A secret bit string, packed as PackedBits is (most significant bit of each byte first, padding
// bits zero), so that the same hashing code serves public and secret bits.
class SecretBits {
public:
    SecretBits() = default;
    // `size` zero bits.
    explicit SecretBits(std::uint64_t size) : size_(size), bytes_(PackedBits::byte_count(size)) {}
    // A copy of `bits`: the caller still owns, and should wipe, the original.
    static SecretBits copy_of(const PackedBits& bits);
    // Takes `bytes` as the packed form of `size` bits. Padding bits beyond `size` are cleared.
    static Result<SecretBits> from_bytes(SecretBytes bytes, std::uint64_t size);

    // Moving leaves the source empty (size 0), like SecretBytes.
    SecretBits(SecretBits&& other) noexcept
        : size_(std::exchange(other.size_, 0)), bytes_(std::move(other.bytes_)) {}
    SecretBits& operator=(SecretBits&& other) noexcept {
        if (this != &other) {
            bytes_ = std::move(other.bytes_);  // wipes what this object held
            size_ = std::exchange(other.size_, 0);
        }
        return *this;
    }

    SecretBits clone() const;

    std::uint64_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    bool get(std::uint64_t i) const noexcept {
        return ((static_cast<unsigned>(bytes_.reveal()[i / 8]) >> (7 - i % 8)) & 1U) != 0;
    }
    void set(std::uint64_t i, bool bit) noexcept {
        const auto mask = static_cast<Byte>(0x80U >> (i % 8));
        Byte& b = bytes_.reveal_mutable()[i / 8];
        b = bit ? static_cast<Byte>(b | mask) : static_cast<Byte>(b & ~mask);
    }
    // The packed bytes, for computing on them. Never print or log them.
    ByteSpan reveal() const noexcept { return bytes_.reveal(); }
    MutableByteSpan reveal_mutable() noexcept { return bytes_.reveal_mutable(); }

    // Bits [first, first + count) as a new secret; precondition first + count <= size().
    SecretBits slice(std::uint64_t first, std::uint64_t count) const;
    // Appends the bits of `tail`.
    void append(const SecretBits& tail);
    // Wipes and releases the memory.
    void clear() noexcept;

    friend std::ostream& operator<<(std::ostream&, const SecretBits&) = delete;

private:
    std::uint64_t size_ = 0;
    SecretBytes bytes_;
};

// Googletest prints a value whose assertion fails; for secrets it prints the length only.
void PrintTo(const SecretBytes& secret, std::ostream* out);
void PrintTo(const SecretBits& secret, std::ostream* out);

}  // namespace tfqkd
