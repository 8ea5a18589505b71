// aopp_pairing (0x30): docs/wire-format.md, section 5.8.
#include "protocol/wire/aopp_pairing.hpp"

#include <algorithm>
#include <limits>

#include "index_list.hpp"

namespace tfqkd::wire {

namespace {
// first_delta and second_delta, at least one byte each (WF-ENC-7).
constexpr std::size_t kMinPairSize = 2;
// block_id, bob_zeros, bob_ones: the offset of pair_count, which check() names.
constexpr std::size_t kPairCountOffset = 8 + 8 + 8;
}  // namespace

Result<AoppPairing> AoppPairing::read(Reader& reader) {
    AoppPairing m;
    std::uint32_t pair_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("bob_zeros", m.bob_zeros, 0, kMaxBitCount)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("bob_ones", m.bob_ones, 0, kMaxBitCount)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("pair_count", pair_count, 0, kMaxPairs)) return reader.take_error();
    if (pair_count > reader.remaining() / kMinPairSize) {
        reader.fail_at(count_at, "pair_count", Errc::truncated);
        return reader.take_error();
    }
    m.pairs.resize(pair_count);
    // The firsts form one list over the pairs; each second is coded by the same rule relative to
    // its own first (second = first + 1 + second_delta).
    std::uint64_t previous = kBeforeFirstIndex;
    for (Pair& pair : m.pairs) {
        if (!read_next_index(reader, "pairs[].first", previous, pair.first)) return reader.take_error();
        std::uint64_t first = pair.first;
        if (!read_next_index(reader, "pairs[].second", first, pair.second)) return reader.take_error();
    }
    return m;
}

void AoppPairing::write(Writer& writer) const {
    writer.u64(block_id);
    // Counts above 2^32 are written as they are; the decoder that encode_payload runs refuses them.
    writer.u64(bob_zeros);
    writer.u64(bob_ones);
    // Only a list that its u32 count cannot express is refused here; the 5 * 10^7 bound is the decoder's.
    if (pairs.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("pair_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(pairs.size()));
    std::uint64_t previous = kBeforeFirstIndex;
    for (const Pair& pair : pairs) {
        // Delta coding cannot express a first index at or below its predecessor's, nor a second
        // index at or below its own first. Both are checked before the pair is written, so that
        // either error is reported at the pair's first byte.
        std::uint64_t first_delta = 0;
        std::uint64_t second_delta = 0;
        if (!next_index_delta(writer, "pairs[].first", previous, pair.first, first_delta)) return;
        std::uint64_t first = pair.first;
        if (!next_index_delta(writer, "pairs[].second", first, pair.second, second_delta)) return;
        writer.varint(first_delta);
        writer.varint(second_delta);
    }
}

Status AoppPairing::check() const {
    // Each pair takes one of Bob's bits of each value, so there are at most min(n_0^B, n_1^B) pairs.
    if (pairs.size() > std::min(bob_zeros, bob_ones))
        return make_error(Errc::inconsistent, kName, "pair_count", {}, kPairCountOffset);
    return {};
}

}  // namespace tfqkd::wire
