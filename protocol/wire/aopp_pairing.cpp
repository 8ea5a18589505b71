// aopp_pairing (0x30): docs/wire-format.md, section 5.8.
#include "protocol/wire/aopp_pairing.hpp"

#include <limits>

namespace tfqkd::wire {

namespace {
// first_delta and second_delta, at least one byte each (WF-ENC-7).
constexpr std::size_t kMinPairSize = 2;
}  // namespace

Result<AoppPairing> AoppPairing::read(Reader& reader) {
    AoppPairing m;
    std::uint32_t pair_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("pair_count", pair_count, 0, kMaxPairs)) return reader.take_error();
    if (pair_count > reader.remaining() / kMinPairSize) {
        reader.fail_at(count_at, "pair_count", Errc::truncated);
        return reader.take_error();
    }
    m.pairs.resize(pair_count);
    // The first index before the first pair, so that every first is previous + 1 + delta
    // (WF-ENC-9); the unsigned wrap-around is undone by the + 1.
    std::uint64_t previous = std::numeric_limits<std::uint64_t>::max();
    for (Pair& pair : m.pairs) {
        // Sums below are at most 2^32 + 2^35: no overflow.
        const std::size_t first_at = reader.offset();
        std::uint64_t delta = 0;
        if (!reader.varint("pairs[].first", delta, kIndexVarintBytes)) return reader.take_error();
        const std::uint64_t first = previous + 1 + delta;
        if (first >= kMaxEventIndex) {
            reader.fail_at(first_at, "pairs[].first", Errc::out_of_range);
            return reader.take_error();
        }
        const std::size_t second_at = reader.offset();
        if (!reader.varint("pairs[].second", delta, kIndexVarintBytes)) return reader.take_error();
        const std::uint64_t second = first + 1 + delta;
        if (second >= kMaxEventIndex) {
            reader.fail_at(second_at, "pairs[].second", Errc::out_of_range);
            return reader.take_error();
        }
        pair.first = static_cast<std::uint32_t>(first);
        pair.second = static_cast<std::uint32_t>(second);
        previous = first;
    }
    return m;
}

void AoppPairing::write(Writer& writer) const {
    writer.u64(block_id);
    // Only a list that its u32 count cannot express is refused here; the 5 * 10^7 bound is the decoder's.
    if (pairs.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("pair_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(pairs.size()));
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const Pair& pair = pairs[i];
        // Delta coding cannot express a first index at or below its predecessor's, nor a second
        // index at or below its own first.
        if (i > 0 && pair.first <= pairs[i - 1].first) {
            writer.fail("pairs[].first", Errc::not_increasing);
            return;
        }
        if (pair.second <= pair.first) {
            writer.fail("pairs[].second", Errc::not_increasing);
            return;
        }
        writer.varint(i == 0 ? pair.first : pair.first - pairs[i - 1].first - 1);
        writer.varint(pair.second - pair.first - 1);
    }
}

Status AoppPairing::check() const { return {}; }

}  // namespace tfqkd::wire
