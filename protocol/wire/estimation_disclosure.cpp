// estimation_disclosure (0x22): docs/wire-format.md, section 5.7.
#include "protocol/wire/estimation_disclosure.hpp"

#include <limits>

#include "index_list.hpp"

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
    std::uint64_t previous = kBeforeFirstIndex;
    for (std::uint32_t& index : m.indices)
        if (!read_next_index(reader, "indices[]", previous, index)) return reader.take_error();
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
    std::uint64_t previous = kBeforeFirstIndex;
    for (const std::uint32_t index : indices)
        if (!write_next_index(writer, "indices[]", previous, index)) return;
    values.write(writer);
}

Status EstimationDisclosure::check() const { return {}; }

}  // namespace tfqkd::wire
