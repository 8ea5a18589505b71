// Wegman-Carter authentication of the peer channel: docs/postprocessing.md, "Authentication".
//
// Every frame between Alice and Bob ends in a 16-byte tag over the bytes before it (WF-FRM-4):
//
//     tag = h_k(frame bytes) xor pad,
//
// h the GF(2^128) polynomial hash (poly_hash.hpp), which is epsilon-almost-XOR-universal with
// epsilon = (ceil(8 |frame| / 128) + 1) / 2^128, and k (128 bits) and pad (128 bits) fresh bits of the
// pre-shared key pool, used for this tag only. By Wegman and Carter ("New hash functions and their use
// in authentication and set equality", JCSS 22, 1981) and Krawczyk (CRYPTO 1994), an adversary who
// sees the tagged frame and substitutes another frame, tag pair is accepted with probability at most
// epsilon: the pad makes the tag independent of k, and for any substitution the acceptance event is
// h_k(M) xor h_k(M') = tag xor tag', of probability at most epsilon over k. Drawing k fresh per tag
// (rather than recycling it, which Portmann, IEEE Trans. Inf. Theory 60 (2014) shows is also
// composable) costs 128 bits more per tag and keeps the argument to the one-message case.
//
// Key pool: the pre-shared secret bits, consumed in order. Every bit is handed out exactly once, by
// take(); handed-out bits are wiped from the pool; replenish() appends bits of generated key. Both
// parties hold an identical pool per direction (one for Alice -> Bob frames, one for Bob -> Alice
// frames) and debit it in frame order, the sender to tag and the receiver to verify, so that they
// draw the same bits. A pool that cannot cover a tag is an error the party turns into an abort with
// reason auth_pool_exhausted (docs/wire-format.md 5.16).
#pragma once

#include <cstdint>

#include "base/result.hpp"
#include "base/secret.hpp"
#include "protocol/postprocessing/poly_hash.hpp"
#include "protocol/wire/frame.hpp"

namespace tfqkd::pp {

// Key bits debited per tag: a 128-bit hash key and a 128-bit pad.
inline constexpr std::uint64_t kAuthenticationBitsPerTag = 2 * 8 * kPolyHashBytes;

class KeyPool {
public:
    KeyPool() = default;
    explicit KeyPool(SecretBits pre_shared);

    // The next `count` unused bits, which are then gone from the pool. Error (message "key_pool",
    // field "available_bits", out_of_range) when fewer than `count` are left; the pool is unchanged.
    Result<SecretBits> take(std::uint64_t count);
    // Appends fresh bits (from a generated key) after the bits still unused.
    void replenish(const SecretBits& fresh);

    std::uint64_t available_bits() const noexcept { return bits_.size() - cursor_; }
    // Bits handed out so far over the pool's life: the next take() starts at this position of the
    // stream formed by the pre-shared bits followed by every replenishment.
    std::uint64_t consumed_bits() const noexcept { return consumed_; }

private:
    SecretBits bits_;          // [cursor_, size) unused; [0, cursor_) already wiped
    std::uint64_t cursor_ = 0;
    std::uint64_t consumed_ = 0;
};

// True for the error take() reports when the pool is empty: the party aborts with
// auth_pool_exhausted.
bool is_pool_exhausted(const Error& error) noexcept;

// The tag of `message` under the next kAuthenticationBitsPerTag bits of `pool`.
Result<wire::Tag> authentication_tag(ByteSpan message, KeyPool& pool);

// Debits the pool as authentication_tag does and compares in constant time. Errors: the pool's, or
// (message "frame", field "tag", invalid_value) when the tag is wrong: the party aborts with
// authentication_failed. The key bits are spent either way.
Status verify_authentication_tag(ByteSpan message, ByteSpan tag, KeyPool& pool);

// Frames of the peer channel: fills the last kTagSize bytes of an encoded frame (as returned by
// wire::encode_frame_message) with the tag over the bytes before them; and checks a received frame's
// tag (the frame must decode: decode_frame's errors are returned as they are).
Status sign_frame(MutableByteSpan frame, KeyPool& pool);
Status verify_frame(ByteSpan frame, KeyPool& pool);

// Forgery probability per tag for a message of `message_bytes` bytes.
HashEpsilon authentication_epsilon(std::uint64_t message_bytes) noexcept;

}  // namespace tfqkd::pp
