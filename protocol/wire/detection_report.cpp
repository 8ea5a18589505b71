// detection_report (0x10): docs/wire-format.md, section 5.3.
//
// This is the bulk message of a session (up to 10^8 events per block) and its decoder is on the
// benchmark's hot path: the event loop decodes varints inline, with a one-byte fast path, and checks
// every rule of the spec per event without a second pass.
#include "protocol/wire/detection_report.hpp"

namespace tfqkd::wire {

Result<DetectionReport> DetectionReport::read(Reader& reader) {
    DetectionReport m;
    std::uint32_t event_count = 0;
    if (!reader.u64("block_id", m.block_id)) return reader.take_error();
    if (!reader.uint_in<std::uint64_t>("first_slot", m.first_slot, 0, kMaxSlot - 1)) return reader.take_error();
    const std::size_t slot_count_at = reader.offset();
    if (!reader.uint_in<std::uint64_t>("slot_count", m.slot_count, 1, kMaxSlot)) return reader.take_error();
    if (m.first_slot + m.slot_count > kMaxSlot) {
        reader.fail_at(slot_count_at, "slot_count", Errc::out_of_range);
        return reader.take_error();
    }
    const std::size_t count_at = reader.offset();
    if (!reader.uint_in<std::uint32_t>("event_count", event_count, 0, kMaxEventsPerBlock)) return reader.take_error();
    // Each event takes at least one byte: check the claim before allocating for it (WF-ENC-7).
    if (event_count > reader.remaining()) {
        reader.fail_at(count_at, "event_count", Errc::truncated);
        return reader.take_error();
    }
    m.slots.resize(event_count);
    m.clicks.resize(event_count);

    const Byte* const begin = reader.cursor();
    const Byte* const end = begin + reader.remaining();
    const Byte* p = begin;
    const std::uint64_t slot_end = m.first_slot + m.slot_count;
    // The slot before the first event, so that every event is previous + 1 + gap (WF-ENC-9).
    // Unsigned wrap-around of first_slot - 1 is undone by the + 1 below.
    std::uint64_t previous = m.first_slot - 1;
    for (std::uint32_t i = 0; i < event_count; ++i) {
        std::uint64_t v;
        if (p < end && *p < 0x80) {
            v = *p++;
        } else {
            const int n = decode_varint(p, end, v, kEventVarintBytes);
            if (n <= 0) {
                // Let the reader classify the failure (truncated, over-long or non-canonical).
                reader.skip_unchecked(static_cast<std::size_t>(p - begin));
                std::uint64_t ignored = 0;
                (void)reader.varint("events[]", ignored, kEventVarintBytes);
                return reader.take_error();
            }
            p += n;
        }
        const auto click = static_cast<std::uint8_t>(v & 3U);
        const std::uint64_t slot = previous + 1 + (v >> 2);
        if (click == 0 || slot >= slot_end) {
            // Report the offset of this event's varint: back up over it.
            std::size_t at = static_cast<std::size_t>(p - begin) - 1;
            while (at > 0 && (begin[at - 1] & 0x80) != 0) --at;
            reader.skip_unchecked(at);
            reader.fail(click == 0 ? "events[].click" : "events[].gap",
                        click == 0 ? Errc::invalid_value : Errc::out_of_range);
            return reader.take_error();
        }
        m.slots[i] = slot;
        m.clicks[i] = static_cast<Click>(click);
        previous = slot;
    }
    reader.skip_unchecked(static_cast<std::size_t>(p - begin));
    return m;
}

void DetectionReport::write(Writer& writer) const {
    if (slots.size() != clicks.size()) {
        writer.fail("events[]", Errc::length_mismatch, "slots and clicks differ in length");
        return;
    }
    if (slots.size() > kMaxEventsPerBlock) {
        writer.fail("event_count", Errc::out_of_range);
        return;
    }
    writer.u64(block_id);
    writer.u64(first_slot);
    writer.u64(slot_count);
    writer.u32(static_cast<std::uint32_t>(slots.size()));
    std::uint64_t previous = first_slot - 1;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const bool in_order = i == 0 ? slots[i] >= first_slot : slots[i] > previous;
        if (!in_order) {
            writer.fail("events[].slot", Errc::not_increasing);
            return;
        }
        const std::uint64_t gap = slots[i] - previous - 1;
        if (gap >= (1ULL << 54)) {
            writer.fail("events[].gap", Errc::out_of_range);
            return;
        }
        writer.varint((gap << 2) | static_cast<std::uint8_t>(clicks[i]));
        previous = slots[i];
    }
}

Status DetectionReport::check() const { return {}; }

}  // namespace tfqkd::wire
