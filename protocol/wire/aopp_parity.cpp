// aopp_parity (0x31): docs/wire-format.md, section 5.9.
#include "protocol/wire/aopp_parity.hpp"

#include <limits>

namespace tfqkd::wire {

Result<AoppParity> AoppParity::read(Reader& reader) {
    AoppParity m;
    std::uint32_t pair_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("pair_count", pair_count, 0, kMaxPairs)) return reader.take_error();
    // The count is what lies, not the bits after it: report it there, before allocating (WF-ENC-7, -8).
    if (PackedBits::byte_count(pair_count) > reader.remaining()) {
        reader.fail_at(count_at, "pair_count", Errc::truncated);
        return reader.take_error();
    }
    if (!PackedBits::read(reader, "parities", pair_count, m.parities)) return reader.take_error();
    return m;
}

void AoppParity::write(Writer& writer) const {
    if (parities.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("pair_count", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u32(static_cast<std::uint32_t>(parities.size()));
    parities.write(writer);
}

Status AoppParity::check() const { return {}; }

}  // namespace tfqkd::wire
