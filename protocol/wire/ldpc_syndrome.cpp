// ldpc_syndrome (0x42): docs/wire-format.md, section 5.12.
#include "protocol/wire/ldpc_syndrome.hpp"

#include <limits>

namespace tfqkd::wire {

Result<LdpcSyndrome> LdpcSyndrome::read(Reader& reader) {
    LdpcSyndrome m;
    std::uint32_t syndrome_bits = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.u32("code_id", m.code_id)) return reader.take_error();
    if (!reader.u32("frame_index", m.frame_index)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("syndrome_bits", syndrome_bits, 1, kMaxSyndromeBits))
        return reader.take_error();
    // The count is what lies, not the bits after it: report it there, before allocating (WF-ENC-7, -8).
    if (PackedBits::byte_count(syndrome_bits) > reader.remaining()) {
        reader.fail_at(count_at, "syndrome_bits", Errc::truncated);
        return reader.take_error();
    }
    if (!PackedBits::read(reader, "syndrome", syndrome_bits, m.syndrome)) return reader.take_error();
    return m;
}

void LdpcSyndrome::write(Writer& writer) const {
    if (syndrome.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("syndrome_bits", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u32(code_id);
    writer.u32(frame_index);
    writer.u32(static_cast<std::uint32_t>(syndrome.size()));
    syndrome.write(writer);
}

Status LdpcSyndrome::check() const { return {}; }

}  // namespace tfqkd::wire
