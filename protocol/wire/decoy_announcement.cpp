// decoy_announcement (0x21): docs/wire-format.md, section 5.6.
#include "protocol/wire/decoy_announcement.hpp"

#include <limits>

#include "index_list.hpp"

namespace tfqkd::wire {

namespace {
// index_delta (at least one byte), setting u8, phase_slice u16 (WF-ENC-7).
constexpr std::size_t kMinEntrySize = 4;
}  // namespace

Result<DecoyAnnouncement> DecoyAnnouncement::read(Reader& reader) {
    DecoyAnnouncement m;
    std::uint32_t entry_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("entry_count", entry_count, 0, kMaxEventsPerBlock)) return reader.take_error();
    if (entry_count > reader.remaining() / kMinEntrySize) {
        reader.fail_at(count_at, "entry_count", Errc::truncated);
        return reader.take_error();
    }
    m.entries.reserve(entry_count);
    std::uint64_t previous = kBeforeFirstIndex;
    for (std::uint32_t i = 0; i < entry_count; ++i) {
        Entry e;
        if (!read_next_index(reader, "entries[].index", previous, e.index)) return reader.take_error();
        if (!reader.uint_in<std::uint8_t>("entries[].setting", e.setting, 0, kMaxSetting)) return reader.take_error();
        if (!reader.uint_in<std::uint16_t>("entries[].phase_slice", e.phase_slice, 0, kMaxPhaseSlice))
            return reader.take_error();
        m.entries.push_back(e);
    }
    return m;
}

void DecoyAnnouncement::write(Writer& writer) const {
    writer.u64(block_id);
    // Only a list that its u32 count cannot express is refused here; the 10^8 bound is the decoder's.
    if (entries.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("entry_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(entries.size()));
    std::uint64_t previous = kBeforeFirstIndex;
    for (const Entry& e : entries) {
        if (!write_next_index(writer, "entries[].index", previous, e.index)) return;
        writer.u8(e.setting);
        writer.u16(e.phase_slice);
    }
}

Status DecoyAnnouncement::check() const { return {}; }

}  // namespace tfqkd::wire
