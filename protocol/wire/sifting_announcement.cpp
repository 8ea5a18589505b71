// sifting_announcement (0x20): docs/wire-format.md, section 5.5.
#include "protocol/wire/sifting_announcement.hpp"

#include <limits>

namespace tfqkd::wire {

Result<SiftingAnnouncement> SiftingAnnouncement::read(Reader& reader) {
    SiftingAnnouncement m;
    std::uint32_t event_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("event_count", event_count, 0, kMaxEventsPerBlock)) return reader.take_error();
    // A claim beyond the input is the count's fault, not the bit string's (WF-ENC-7, WF-ENC-8).
    if (PackedBits::byte_count(event_count) > reader.remaining()) {
        reader.fail_at(count_at, "event_count", Errc::truncated);
        return reader.take_error();
    }
    if (!PackedBits::read(reader, "windows", event_count, m.windows)) return reader.take_error();
    return m;
}

void SiftingAnnouncement::write(Writer& writer) const {
    writer.u64(block_id);
    // Only a list that its u32 count cannot express is refused here; the 10^8 bound is the decoder's.
    if (windows.size() > std::numeric_limits<std::uint32_t>::max()) {
        writer.fail("event_count", Errc::out_of_range);
        return;
    }
    writer.u32(static_cast<std::uint32_t>(windows.size()));
    windows.write(writer);
}

Status SiftingAnnouncement::check() const { return {}; }

}  // namespace tfqkd::wire
