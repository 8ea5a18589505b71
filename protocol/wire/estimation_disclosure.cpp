// estimation_disclosure (0x22): docs/wire-format.md, section 5.7.
#include "protocol/wire/estimation_disclosure.hpp"

#include <limits>

namespace tfqkd::wire {

Result<EstimationDisclosure> EstimationDisclosure::read(Reader& reader) {
    EstimationDisclosure m;
    std::uint32_t bit_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("bit_count", bit_count, 0, kMaxEventsPerBlock)) return reader.take_error();
    // Each index takes at least one byte: check the claim before allocating for it (WF-ENC-7).
    if (bit_count > reader.remaining()) {
        reader.fail_at(count_at, "bit_count", Errc::truncated);
        return reader.take_error();
    }
    m.indices.resize(bit_count);
    // The index before the first, so that every index is previous + 1 + delta (WF-ENC-9); the
    // unsigned wrap-around is undone by the + 1.
    std::uint64_t previous = std::numeric_limits<std::uint64_t>::max();
    for (auto& index : m.indices) {
        const std::size_t index_at = reader.offset();
        std::uint64_t delta = 0;
        if (!reader.varint("indices[]", delta, kIndexVarintBytes)) return reader.take_error();
        const std::uint64_t value = previous + 1 + delta;  // at most 2^32 + 2^35: no overflow
        if (value >= kMaxEventIndex) {
            reader.fail_at(index_at, "indices[]", Errc::out_of_range);
            return reader.take_error();
        }
        index = static_cast<std::uint32_t>(value);
        previous = value;
    }
    if (!PackedBits::read(reader, "values", bit_count, m.values)) return reader.take_error();
    return m;
}

void EstimationDisclosure::write(Writer& writer) const {
    writer.u64(block_id);
    // One count covers both lists, so they must agree.
    if (values.size() != indices.size()) {
        writer.fail("values", Errc::length_mismatch, "indices and values differ in length");
        return;
    }
    // Only a list that its u32 count cannot express is refused here; the 10^8 bound is the decoder's.
    if (indices.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("bit_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(indices.size()));
    for (std::size_t i = 0; i < indices.size(); ++i) {
        // Delta coding cannot express an index at or below its predecessor.
        if (i > 0 && indices[i] <= indices[i - 1]) {
            writer.fail("indices[]", Errc::not_increasing);
            return;
        }
        writer.varint(i == 0 ? indices[i] : indices[i] - indices[i - 1] - 1);
    }
    values.write(writer);
}

Status EstimationDisclosure::check() const { return {}; }

}  // namespace tfqkd::wire
