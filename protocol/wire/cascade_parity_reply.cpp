// cascade_parity_reply (0x41): docs/wire-format.md, section 5.11.
#include "protocol/wire/cascade_parity_reply.hpp"

#include <limits>

namespace tfqkd::wire {

Result<CascadeParityReply> CascadeParityReply::read(Reader& reader) {
    CascadeParityReply m;
    std::uint32_t parity_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.u32("query_id", m.query_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("parity_count", parity_count, 1, kMaxParities)) return reader.take_error();
    // The count is what lies, not the bits after it: report it there, before allocating (WF-ENC-7, -8).
    if (PackedBits::byte_count(parity_count) > reader.remaining()) {
        reader.fail_at(count_at, "parity_count", Errc::truncated);
        return reader.take_error();
    }
    if (!PackedBits::read(reader, "parities", parity_count, m.parities)) return reader.take_error();
    return m;
}

void CascadeParityReply::write(Writer& writer) const {
    if (parities.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("parity_count", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u32(query_id);
    writer.u32(static_cast<std::uint32_t>(parities.size()));
    parities.write(writer);
}

Status CascadeParityReply::check() const { return {}; }

}  // namespace tfqkd::wire
