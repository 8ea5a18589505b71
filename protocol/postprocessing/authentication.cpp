// Wegman-Carter authentication and the key pool: see protocol/postprocessing/authentication.hpp.
#include "protocol/postprocessing/authentication.hpp"

#include <algorithm>
#include <cstring>

#include "../mutants.hpp"

namespace tfqkd::pp {
namespace {

constexpr std::string_view kPool = "key_pool";

}  // namespace

KeyPool::KeyPool(SecretBits pre_shared) : bits_(std::move(pre_shared)) {}

Result<SecretBits> KeyPool::take(std::uint64_t count) {
    if (count > available_bits())
        return make_error(Errc::out_of_range, kPool, "available_bits", "the authentication key pool is exhausted");
    SecretBits out = bits_.slice(cursor_, count);
    // Wipe what was handed out: the pool keeps no copy of a used key bit.
    for (std::uint64_t i = cursor_; i < cursor_ + count; ++i) bits_.set(i, false);
    cursor_ += count;
    consumed_ += count;
    // Drop the wiped prefix once it is most of the buffer, so the pool does not grow without bound.
    if (cursor_ > 0 && cursor_ >= bits_.size() / 2) {
        bits_ = bits_.slice(cursor_, bits_.size() - cursor_);  // the old buffer is wiped as it is replaced
        cursor_ = 0;
    }
    return out;
}

void KeyPool::replenish(const SecretBits& fresh) { bits_.append(fresh); }

bool is_pool_exhausted(const Error& error) noexcept {
    return error.message == kPool && error.field == "available_bits" && error.code == Errc::out_of_range;
}

Result<wire::Tag> authentication_tag(ByteSpan message, KeyPool& pool) {
    Result<SecretBits> key_bits = pool.take(kAuthenticationBitsPerTag);
    if (!key_bits) return std::move(key_bits).error();
    const ByteSpan material = key_bits->reveal();  // 32 bytes: hash key, then pad
    PolyHashKey key;
    std::memcpy(key.data(), material.data(), kPolyHashBytes);
    PolyHashValue hash = poly_hash_128(key, message, 8 * static_cast<std::uint64_t>(message.size()));
    // Mutant tag_pad_reuses_hash_key: the pad is the hash key again; the pool's pad bits go unused.
    const std::size_t pad = TFQKD_MUTANT(tag_pad_reuses_hash_key) ? 0 : kPolyHashBytes;
    wire::Tag tag;
    for (std::size_t i = 0; i < wire::kTagSize; ++i) tag[i] = static_cast<Byte>(hash[i] ^ material[pad + i]);
    secure_wipe(key.data(), key.size());
    secure_wipe(hash.data(), hash.size());
    return tag;
}

Status verify_authentication_tag(ByteSpan message, ByteSpan tag, KeyPool& pool) {
    Result<wire::Tag> expected = authentication_tag(message, pool);
    if (!expected) return std::move(expected).error();
    if (!constant_time_equal(*expected, tag))
        return make_error(Errc::invalid_value, "frame", "tag", "authentication failed");
    return {};
}

Status sign_frame(MutableByteSpan frame, KeyPool& pool) {
    if (frame.size() < wire::kTagSize) return make_error(Errc::truncated, "frame", "tag");
    const std::size_t covered = frame.size() - wire::kTagSize;
    Result<wire::Tag> tag = authentication_tag(ByteSpan(frame.data(), covered), pool);
    if (!tag) return std::move(tag).error();
    std::memcpy(frame.data() + covered, tag->data(), wire::kTagSize);
    return {};
}

Status verify_frame(ByteSpan frame, KeyPool& pool) {
    Result<wire::FrameView> view = wire::decode_frame(frame);
    if (!view) return std::move(view).error();
    if (view->tag.size() != wire::kTagSize)
        return make_error(Errc::bad_route, "frame", "tag", "not a frame of the peer channel");
    return verify_authentication_tag(view->authenticated, view->tag, pool);
}

HashEpsilon authentication_epsilon(std::uint64_t message_bytes) noexcept {
    return poly_hash_128_epsilon(8 * message_bytes);
}

}  // namespace tfqkd::pp
